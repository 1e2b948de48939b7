using System.Net;
using System.Net.Sockets;

namespace SpamGuard.Testing;

/// <summary>Free ports on 127.0.0.1 for servers started by tests.</summary>
public static class LoopbackPorts
{
    /// <summary>Two distinct free loopback ports. Both listeners stay open until both ports are known, so they differ.</summary>
    public static (int First, int Second) FreePair()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        try
        {
            return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
        }
        finally
        {
            first.Stop();
            second.Stop();
        }
    }
}
