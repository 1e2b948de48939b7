using SpamGuard.Server.Hosting;

// The composition root is SpamGuardApp.Build, so the end-to-end tests start exactly the host that ships.
var app = SpamGuardApp.Build(args);
app.Run();
