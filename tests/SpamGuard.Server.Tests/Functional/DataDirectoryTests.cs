using System.Diagnostics;
using System.Net;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// One data root however the server is started: the in-process host (as <c>dotnet run</c> runs Program.cs) and the
/// built SpamGuard.Server.dll as a real process from another working directory find the same secret, keys and checks.
/// </summary>
public sealed class DataDirectoryTests : IDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("spamguard-data-root-");

    [Fact]
    public async Task InProcessHostAndServerDll_FromAnotherDirectory_ShareTheSecretSiteKeysAndCheckRecords()
    {
        // Arrange: the in-process host is given only the root; the secret file follows it.
        var xdgDataHome = Path.Combine(_temp.FullName, "xdg");
        var root = Path.Combine(xdgDataHome, "spamguard");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_temp.FullName, "elsewhere")).FullName;
        string key;
        string secretPath;
        await using (var host = await SpamGuardHost.StartWithModelFileAsync(
            TinyModel.ZipPath, $"--Admin:Key={SiteKeysForTests.AdminKey}", $"--Feedback:DataDirectory={root}", "--Privacy:PseudonymSecretFile="))
        {
            secretPath = host.Services.GetRequiredService<IOptions<PrivacyOptions>>().Value.PseudonymSecretFile;
            key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
            var request = Requests.WithContent("A first comment, checked in process.");
            request.AuthorEmail = "ada@example.net";
            await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(request, SiteKeysForTests.Bearer(key), deadline: SpamGuardHost.Deadline);
        }

        var secret = await File.ReadAllBytesAsync(secretPath);

        // Act: the dll, started from another directory with no storage setting at all: only XDG_DATA_HOME says where.
        using var server = await ServerDll.StartAsync(elsewhere, new Dictionary<string, string> { ["XDG_DATA_HOME"] = xdgDataHome });
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var client = new CommentFilter.CommentFilterClient(channel);
        var keyless = await Assert.ThrowsAsync<RpcException>(() => client.CheckCommentAsync(Requests.WithContent("no key"), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var keyed = await client.CheckCommentAsync(Requests.WithContent("with the key"), SiteKeysForTests.Bearer(key), deadline: SpamGuardHost.Deadline);
        // The check record keeps the e-mail only as a pseudonym: the process finds it only with the same secret.
        var erased = await new ModelAdmin.ModelAdminClient(channel).EraseAsync(
            new EraseRequest { Email = "ada@example.net" }, SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey), deadline: SpamGuardHost.Deadline);

        // Assert
        Assert.Equal(Path.Combine(root, DataDirectory.PseudonymSecretFileName), secretPath);
        Assert.Equal(StatusCode.Unauthenticated, keyless.StatusCode);
        Assert.False(string.IsNullOrEmpty(keyed.CheckId));
        Assert.Equal(1, erased.CheckRecords);
        Assert.Equal(secret, await File.ReadAllBytesAsync(secretPath));
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
        Assert.True(File.Exists(Path.Combine(root, "state.db")), string.Join(", ", Directory.EnumerateFileSystemEntries(root)));
        Assert.Contains($"Local state under {root}.", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultRoot_IsSpamguardUnderTheUsersDataDirectory_NotTheWorkingDirectory()
    {
        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);

        Assert.Equal(Path.Combine(userData, "spamguard"), DataDirectory.Default);
        Assert.True(Path.IsPathRooted(DataDirectory.Default), DataDirectory.Default);
        Assert.Equal(DataDirectory.Default, new FeedbackOptions().DataDirectory);
    }

    public void Dispose() => _temp.Delete(recursive: true);

    /// <summary>The built server (<c>artifacts/bin/SpamGuard.Server/&lt;config&gt;/SpamGuard.Server.dll</c>) as a child process.</summary>
    private sealed class ServerDll : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private ServerDll(Process process, int grpcPort, int httpPort)
        {
            _process = process;
            GrpcAddress = $"http://127.0.0.1:{grpcPort}";
            HttpAddress = $"http://127.0.0.1:{httpPort}";
        }

        public string GrpcAddress { get; }

        private string HttpAddress { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<ServerDll> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment)
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dll = Path.Combine(testOutput.Parent!.Parent!.FullName, "SpamGuard.Server", testOutput.Name, "SpamGuard.Server.dll");
            var (grpcPort, httpPort) = LoopbackPorts.FreePair();
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])[dll, $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}", $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
                         "--environment=Production", $"--Admin:Key={SiteKeysForTests.AdminKey}", $"--Model:Path={TinyModel.ZipPath}"])
            {
                info.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }

            info.Environment.Remove("Feedback__DataDirectory");
            info.Environment.Remove("Privacy__PseudonymSecretFile");
            var server = new ServerDll(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."), grpcPort, httpPort);
            server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
            server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            try
            {
                await server.WaitUntilHealthyAsync();
                return server;
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }

            _process.Dispose();
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.Append(line).Append('\n');
            }
        }

        private async Task WaitUntilHealthyAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < StartDeadline)
            {
                Assert.False(_process.HasExited, $"The server exited during start-up:\n{Output}");
                try
                {
                    using var response = await http.GetAsync(new Uri($"{HttpAddress}/healthz"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                await Task.Delay(200);
            }

            Assert.Fail($"The server was not healthy within {StartDeadline.TotalSeconds:0} s:\n{Output}");
        }
    }
}
