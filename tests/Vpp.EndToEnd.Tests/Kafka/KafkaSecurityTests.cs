using Confluent.Kafka;
using Vpp.Messaging.Hosting;

namespace Vpp.EndToEnd.Tests.Kafka;

/// <summary>Kafka:Security reaches every client the host makes, and incomplete settings are refused with what is missing.</summary>
public class KafkaSecurityTests
{
    private static readonly KafkaSecurity Scram = new()
    {
        Protocol = SecurityProtocol.SaslSsl, SaslMechanism = SaslMechanism.ScramSha256, SaslUsername = "vpp", SaslPassword = "secret", SslCaLocation = "/etc/ssl/ca.pem",
    };

    [Fact]
    public void Sasl_over_tls_settings_reach_producer_consumer_and_admin_configs()
    {
        foreach (ClientConfig config in new ClientConfig[] { Scram.ApplyTo(new ProducerConfig()), Scram.ApplyTo(new ConsumerConfig()), Scram.ApplyTo(new AdminClientConfig()) })
        {
            config.SecurityProtocol.Should().Be(SecurityProtocol.SaslSsl);
            config.SaslMechanism.Should().Be(SaslMechanism.ScramSha256);
            config.SaslUsername.Should().Be("vpp");
            config.SaslPassword.Should().Be("secret");
            config.SslCaLocation.Should().Be("/etc/ssl/ca.pem");
        }
        Scram.Problem().Should().BeNull();
    }

    [Fact]
    public void The_default_is_plaintext_without_credentials() =>
        new KafkaSecurity().ApplyTo(new ConsumerConfig()).SecurityProtocol.Should().Be(SecurityProtocol.Plaintext);

    [Theory]
    [InlineData("", "secret", "SaslUsername")]
    [InlineData("vpp", "", "SaslPassword")]
    public void Sasl_without_credentials_is_refused(string user, string password, string missing) =>
        new KafkaSecurity { Protocol = SecurityProtocol.SaslPlaintext, SaslUsername = user, SaslPassword = password }.Problem().Should().Contain(missing);

    [Fact]
    public void A_client_certificate_needs_its_key() =>
        new KafkaSecurity { Protocol = SecurityProtocol.Ssl, SslCertificateLocation = "/c.pem" }.Problem().Should().Contain("SslKeyLocation");
}
