using Confluent.Kafka;

namespace Vpp.Messaging.Hosting;

/// <summary>
/// How the host authenticates to the brokers and encrypts the traffic (section Kafka:Security), applied to
/// every producer, consumer and admin client it makes. The embedded mock cluster ignores it.
/// </summary>
public sealed class KafkaSecurity
{
    /// <summary>Plaintext (default: a private network only), Ssl, SaslPlaintext or SaslSsl.</summary>
    public SecurityProtocol Protocol { get; set; } = SecurityProtocol.Plaintext;

    /// <summary>Plain, ScramSha256, ScramSha512 (with the user name and password below).</summary>
    public SaslMechanism SaslMechanism { get; set; } = SaslMechanism.ScramSha512;
    public string SaslUsername { get; set; } = "";
    public string SaslPassword { get; set; } = "";

    /// <summary>PEM file of the CA that signed the brokers' certificates; empty: the system's trust store.</summary>
    public string SslCaLocation { get; set; } = "";
    /// <summary>Client certificate and key (PEM) for brokers that require mutual TLS; empty: none.</summary>
    public string SslCertificateLocation { get; set; } = "";
    public string SslKeyLocation { get; set; } = "";
    public string SslKeyPassword { get; set; } = "";

    private bool Sasl => Protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem() =>
        Sasl && (string.IsNullOrWhiteSpace(SaslUsername) || string.IsNullOrEmpty(SaslPassword))
            ? $"Protocol {Protocol} needs SaslUsername and SaslPassword."
        : Sasl && SaslMechanism is not (SaslMechanism.Plain or SaslMechanism.ScramSha256 or SaslMechanism.ScramSha512)
            ? "SaslMechanism must be Plain, ScramSha256 or ScramSha512."
        : string.IsNullOrEmpty(SslCertificateLocation) != string.IsNullOrEmpty(SslKeyLocation)
            ? "SslCertificateLocation and SslKeyLocation go together."
        : null;

    public T ApplyTo<T>(T config) where T : ClientConfig
    {
        config.SecurityProtocol = Protocol;
        if (Sasl)
        {
            config.SaslMechanism = SaslMechanism;
            config.SaslUsername = SaslUsername;
            config.SaslPassword = SaslPassword;
        }
        if (!string.IsNullOrEmpty(SslCaLocation)) config.SslCaLocation = SslCaLocation;
        if (!string.IsNullOrEmpty(SslCertificateLocation))
        {
            config.SslCertificateLocation = SslCertificateLocation;
            config.SslKeyLocation = SslKeyLocation;
            if (!string.IsNullOrEmpty(SslKeyPassword)) config.SslKeyPassword = SslKeyPassword;
        }
        return config;
    }
}
