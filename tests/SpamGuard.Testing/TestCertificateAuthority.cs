using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SpamGuard.Testing;

/// <summary>
/// A throwaway certificate authority and one server certificate it signed, written as PEM files to a fresh temporary
/// directory: the server's for Kestrel (<c>Kestrel:Endpoints:X:Certificate:Path</c> and <c>KeyPath</c>), the CA's for a
/// client process to trust (<c>SSL_CERT_FILE</c>, which OpenSSL-based clients and Go read). Lets a real client verify
/// TLS against a loopback server under a made-up name, as it would against a deployment.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(string directory)
    {
        Directory = directory;
    }

    /// <summary>The temporary directory holding the files; deleted on dispose.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate (PEM), to be trusted by the client.</summary>
    public string CaCertificatePath => Path.Combine(Directory, "ca.pem");

    /// <summary>The server certificate (PEM).</summary>
    public string ServerCertificatePath => Path.Combine(Directory, "server.pem");

    /// <summary>The server certificate's private key (PEM, unencrypted).</summary>
    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    /// <summary>Kestrel arguments for an HTTPS endpoint named <paramref name="endpoint"/> on 127.0.0.1:<paramref name="port"/>.</summary>
    public string[] KestrelArgs(string endpoint, int port) =>
    [
        $"--Kestrel:Endpoints:{endpoint}:Url=https://127.0.0.1:{port}",
        $"--Kestrel:Endpoints:{endpoint}:Certificate:Path={ServerCertificatePath}",
        $"--Kestrel:Endpoints:{endpoint}:Certificate:KeyPath={ServerKeyPath}",
    ];

    /// <summary>Creates the CA and a server certificate valid for <paramref name="dnsNames"/> (wildcards and IP addresses allowed).</summary>
    public static TestCertificateAuthority Create(params string[] dnsNames)
    {
        var directory = Path.Combine(Path.GetTempPath(), "spamguard-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var authority = new TestCertificateAuthority(directory);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=SpamGuard test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest($"CN={dnsNames[0]}", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            if (System.Net.IPAddress.TryParse(name, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(name);
            }
        }

        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = serverRequest.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(authority.CaCertificatePath, ca.ExportCertificatePem());
        File.WriteAllText(authority.ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(authority.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return authority;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }
}
