using FsCheck;
using FsCheck.Xunit;
using Vpp.Domain.Grid;

namespace Vpp.Domain.Tests;

public class DeliveryCreditTests
{
    [Theory]
    // measured, share, request sign, credited (limit = share × 1.5 + 0.5 kW)
    [InlineData(300, 2, 1, 3.5)]      // a meter swinging from import to export claims 300 kW on a 2 kW share
    [InlineData(3.4, 2, 1, 3.4)]      // the household's own load dropping is within the tolerance
    [InlineData(1.8, 2, 1, 1.8)]      // under-delivery is what it is
    [InlineData(-3, 2, 1, -3)]        // working against the request counts in full
    [InlineData(-300, -2, -1, -3.5)]  // the same for a request to take power (charge)
    [InlineData(-1.5, -2, -1, -1.5)]
    [InlineData(4, -2, -1, 4)]
    [InlineData(0.45, 0.1, 1, 0.45)]  // a small share's household noise is not cut one way
    [InlineData(5, 0, 1, 0.5)]        // a site that never held a share: noise at most
    public void A_site_is_credited_at_most_its_share_with_a_tolerance_in_the_requests_direction(double measured, double share, int sign, double credited) =>
        DeliveryCredit.Cap(measured, share, sign).Should().BeApproximately(credited, 1e-12);

    [Property(MaxTest = 300)]
    public bool Credit_never_exceeds_the_tolerated_share_and_never_hides_delivery_against_the_request(NormalFloat measured, NormalFloat share, bool up)
    {
        var sign = up ? 1 : -1;
        var limit = Math.Abs(share.Get) * 1.5 + 0.5;
        var credit = DeliveryCredit.Cap(measured.Get, share.Get, sign);
        return credit * sign <= limit + 1e-9
            && (measured.Get * sign > limit || credit == measured.Get);
    }

    [Fact]
    public void Noise_around_the_share_averages_to_the_share()
    {
        // An honest home delivering 0.1 kW with ±0.4 kW of household noise per interval: nothing is cut.
        var rng = new Random(3);
        var noise = Enumerable.Range(0, 1000).Select(_ => (rng.NextDouble() * 2 - 1) * 0.4).ToList();
        var mean = noise.Select(n => 0.1 + n).Average();
        noise.Select(n => DeliveryCredit.Cap(0.1 + n, 0.1, 1)).Average().Should().BeApproximately(mean, 1e-12);
    }
}
