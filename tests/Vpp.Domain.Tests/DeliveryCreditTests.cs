using FsCheck;
using FsCheck.Xunit;
using Vpp.Domain.Grid;

namespace Vpp.Domain.Tests;

public class DeliveryCreditTests
{
    [Theory]
    // measured, share, request sign, credited
    [InlineData(300, 2, 1, 2)]       // a meter swinging from import to export claims 300 kW on a 2 kW share
    [InlineData(1.8, 2, 1, 1.8)]     // under-delivery is what it is
    [InlineData(-3, 2, 1, -3)]       // working against the request counts in full
    [InlineData(-300, -2, -1, -2)]   // the same for a request to take power (charge)
    [InlineData(-1.5, -2, -1, -1.5)]
    [InlineData(4, -2, -1, 4)]
    [InlineData(5, 0, 1, 0)]         // a site that lost its share is credited nothing on top
    public void A_site_is_credited_at_most_its_share_in_the_requests_direction(double measured, double share, int sign, double credited) =>
        DeliveryCredit.Cap(measured, share, sign).Should().Be(credited);

    [Property(MaxTest = 300)]
    public bool Credit_never_exceeds_the_share_and_never_hides_delivery_against_the_request(NormalFloat measured, NormalFloat share, bool up)
    {
        var sign = up ? 1 : -1;
        var credit = DeliveryCredit.Cap(measured.Get, share.Get, sign);
        var helped = credit * sign;
        return helped <= Math.Abs(share.Get) + 1e-12
            && (measured.Get * sign > Math.Abs(share.Get) || credit == measured.Get);
    }
}
