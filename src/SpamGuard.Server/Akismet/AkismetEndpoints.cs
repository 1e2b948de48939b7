using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;
using SpamGuard.Server.Scoring;

namespace SpamGuard.Server.Akismet;

/// <summary>
/// Akismet's REST protocol (https://akismet.com/developers/) on the HTTP endpoint, so an existing Akismet client
/// switches by changing its base URL. Every call maps its form onto the gRPC request, is validated by the same
/// mapper and runs through Core's <see cref="SiteCallService"/>: the two protocols cannot give different answers.
/// Problems are answered as Akismet does: status 200, body <c>invalid</c> and the reason in
/// <c>X-akismet-debug-help</c>, never a 500.
/// </summary>
internal static class AkismetEndpoints
{
    public const string Thanks = "Thanks for making the web a better place.";

    /// <summary>SpamGuard's alert code for "over the rate limit", sent in <c>X-akismet-alert-code</c>. Akismet's own
    /// usage-limit codes (10501…10516) mean a monthly quota and make the WordPress plugin show quota figures, so a
    /// code of its own makes the plugin show <see cref="RateLimitedAlert"/> as a plain alert instead.</summary>
    public const string RateLimitedAlertCode = "42901";

    public const string RateLimitedAlert = "SpamGuard: over the rate limit; comments are held as spam without being scored until it refills.";

    public const string GuessLimitedAlert = "SpamGuard: too many failed key verifications from this address; keys are not looked up until the budget refills.";

    /// <summary>How far back <c>get-stats</c> reads for <c>from=all</c>: every month the usage store keeps.</summary>
    private const int AllMonths = 13;

    private static readonly Uri ExplanationProbeSite = new("https://explanation.invalid/");

    private static readonly JsonFormatter ExplanationJson = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public static IEndpointRouteBuilder MapAkismet(this IEndpointRouteBuilder endpoints)
    {
        // GET is mapped too, only to be told in Akismet's way that these calls are POSTs of a form.
        string[] post = [HttpMethods.Get, HttpMethods.Post];
        endpoints.MapMethods("/1.1/verify-key", post, VerifyKeyAsync);
        endpoints.MapMethods("/1.1/comment-check", post, CommentCheckAsync);
        endpoints.MapMethods("/1.1/submit-spam", post, context => SubmitAsync(context, ReportLabel.Spam));
        endpoints.MapMethods("/1.1/submit-ham", post, context => SubmitAsync(context, ReportLabel.Ham));
        endpoints.MapMethods("/1.2/usage-limit", [HttpMethods.Get, HttpMethods.Post], UsageLimitAsync);
        endpoints.MapMethods("/1.2/key-sites", [HttpMethods.Get, HttpMethods.Post], KeySitesAsync);
        endpoints.MapMethods("/1.1/get-subscription", post, GetSubscriptionAsync);
        endpoints.MapMethods("/1.1/get-stats", post, GetStatsAsync);
        endpoints.MapMethods("/1.1/deactivate", post, DeactivateAsync);
        // The WordPress plugin's connectivity check (its settings page warns "servers down" without it).
        endpoints.MapGet("/1.1/test", () => Results.Text("connected", "text/plain; charset=utf-8"));
        endpoints.MapGet("/1.1/explanation/{guid}", ExplanationAsync);
        return endpoints;
    }

    private static async Task VerifyKeyAsync(HttpContext context)
    {
        await RespondAsync(context, async services =>
        {
            var form = await ReadAsync(context, services, bodyRequired: true);
            var site = Site(form, services);
            var decision = await services.GetRequiredService<SiteKeyGate>().DecideAsync(form.Key, site, context.RequestAborted);
            if (decision.Key is { } key && services.GetRequiredService<ISiteRateLimiter>().IsThrottled(key.Id))
            {
                Alert(context, RateLimitedAlert);
            }

            // A refused verification is an authentication failure like a refused call (same key and reason labels).
            if (decision.Access is not (SiteAccess.Allowed or SiteAccess.Open))
            {
                services.GetRequiredService<SpamGuardMetrics>().AuthFailed("site",
                    decision.Access == SiteAccess.OtherSite ? "other_site" : string.IsNullOrWhiteSpace(form.Key) ? "missing" : "invalid");
            }

            return decision.Access switch
            {
                SiteAccess.Allowed => Text("valid"),
                SiteAccess.OtherSite => Invalid("This key is not registered for this blog; add the blog to the key or use its own key."),
                SiteAccess.Open => Invalid("No site keys exist on this server yet: create one with `spamguard keys create --site <blog>`."),
                _ => Invalid("The key is missing, unknown or revoked."),
            };
        });
    }

    private static async Task CommentCheckAsync(HttpContext context)
    {
        await RespondAsync(context, async services =>
        {
            var form = await ReadAsync(context, services, bodyRequired: true);
            var comment = form.ToComment(Limits(services));
            CheckResult result;
            try
            {
                result = await services.GetRequiredService<SiteCallService>().CheckAsync(form.Key, comment, context.RequestAborted);
            }
            catch (SiteCallRefusedException ex) when (ex.Reason == SiteRefusal.RateLimited)
            {
                // Over a limit the comment is not scored (the limit is there to bound the work), yet it must not be
                // published unseen: "true" is the one answer every client holds back (an error or a 429 is turned into
                // ham by some), and no discard tip, so it waits in the spam folder for a person. The alert headers say
                // why, and X-spamguard-unscored tells SpamGuard-aware callers to check it again later.
                Alert(context, ex.KeyLookupsRefused ? GuessLimitedAlert : RateLimitedAlert, ex.RetryAfter);
                context.Response.Headers["X-spamguard-unscored"] = "rate-limited";
                return Text("true");
            }

            context.Response.Headers["X-akismet-guid"] = result.CheckId;
            if (result.Verdict == Verdict.Discard)
            {
                // Akismet's advice that the comment is blatant spam the blog may drop without queueing it.
                context.Response.Headers["X-akismet-pro-tip"] = "discard";
            }

            Log.CommentChecked(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AkismetEndpoints)), result.CheckId, result.Verdict.ToString(), result.SpamProbability, result.ModelVersion);
            return Text(result.Verdict == Verdict.Ham ? "false" : "true");
        });
    }

    private static async Task SubmitAsync(HttpContext context, ReportLabel label)
    {
        await RespondAsync(context, async services =>
        {
            var form = await ReadAsync(context, services, bodyRequired: true);
            var calls = services.GetRequiredService<SiteCallService>();
            var limits = Limits(services);
            FeedbackResult? result = null;
            if (form.Guid.Length > 0)
            {
                try
                {
                    result = await calls.ReportAsync(form.Key, form.ToReport(label, limits, byGuid: true), context.RequestAborted);
                }
                catch (CheckNotFoundException) when (form.HasComment)
                {
                    // The guid's check expired (or was never kept): the comment itself is in the form, so nothing
                    // the blog reports is lost.
                }
            }

            result ??= await calls.ReportAsync(form.Key, form.ToReport(label, limits, byGuid: false), context.RequestAborted);

            context.Response.Headers["X-spamguard-outcome"] = OutcomeName(result.Outcome);
            context.Response.Headers["X-akismet-guid"] = result.CheckId;
            return Text(Thanks);
        });
    }

    private static async Task UsageLimitAsync(HttpContext context)
    {
        await RespondAsync(context, async services =>
        {
            var key = await KeyOfAsync(context, services);
            var usage = await services.GetRequiredService<SiteUsageCounter>()
                .ReadAsync(key.Id, SiteUsageCounter.MonthOf(services.GetRequiredService<TimeProvider>().GetUtcNow()), context.RequestAborted);
            var body = new Dictionary<string, object>
            {
                // Calls are not capped per month, only rate-limited per second (SiteKeys:RateLimit), as Akismet's
                // unlimited plans answer.
                ["limit"] = "none",
                ["usage"] = usage.Sum(u => u.Calls),
                ["percentage"] = "0.00",
                ["throttled"] = services.GetRequiredService<ISiteRateLimiter>().IsThrottled(key.Id),
            };
            return Json(body);
        });
    }

    private static async Task KeySitesAsync(HttpContext context)
    {
        await RespondAsync(context, async services =>
        {
            var key = await KeyOfAsync(context, services);
            var form = await ReadAsync(context, services, bodyRequired: false);
            var month = form.Get("month") is { Length: > 0 } asked ? asked : SiteUsageCounter.MonthOf(services.GetRequiredService<TimeProvider>().GetUtcNow());
            if (!DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return Invalid("month must be a month as yyyy-MM, e.g. 2026-11.");
            }

            if (!TryInt(form.Get("limit"), 500, 1, 1000, out var limit) || !TryInt(form.Get("offset"), 0, 0, int.MaxValue, out var offset))
            {
                return Invalid("limit must be 1..1000 and offset 0 or more.");
            }

            var counted = await services.GetRequiredService<SiteUsageCounter>().ReadAsync(key.Id, month, context.RequestAborted);
            // Every site of the key, with zeros where it made no calls that month, then any other site counted.
            var rows = key.Sites.Select(site => counted.FirstOrDefault(u => u.Site == site) ?? new SiteUsage(site, 0, 0, 0, 0, 0))
                .Concat(counted.Where(u => !key.Sites.Contains(u.Site, StringComparer.Ordinal)))
                .ToList();
            if (form.Get("filter") is { Length: > 0 } filter)
            {
                // Akismet's filter: the sites whose URL contains it ("domain.tld" matches every site under it).
                rows = [.. rows.Where(r => r.Site.Contains(filter, StringComparison.OrdinalIgnoreCase))];
            }

            rows = form.Get("order") switch
            {
                "spam" => [.. rows.OrderByDescending(r => r.Spam)],
                "ham" => [.. rows.OrderByDescending(r => r.Ham)],
                "missed_spam" => [.. rows.OrderByDescending(r => r.MissedSpam)],
                "false_positives" => [.. rows.OrderByDescending(r => r.FalsePositives)],
                _ => [.. rows.OrderByDescending(r => r.Calls)],
            };
            var page = rows.Skip(offset).Take(limit).ToList();
            if (form.Get("format") == "csv")
            {
                var csv = new StringBuilder("Site,Total API Calls,Spam,Ham,Missed Spam,False Positives,Is Revoked\n");
                foreach (var row in page)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{Csv(row.Site)},{row.Calls},{row.Spam},{row.Ham},{row.MissedSpam},{row.FalsePositives},{(key.IsRevoked ? "true" : "false")}\n");
                }

                return new AkismetAnswer(200, csv.ToString(), "text/csv; charset=utf-8");
            }

            var body = new Dictionary<string, object>
            {
                [month] = page.Select(row => new Dictionary<string, object>
                {
                    ["site"] = row.Site,
                    ["api_calls"] = row.Calls,
                    ["spam"] = row.Spam,
                    ["ham"] = row.Ham,
                    ["missed_spam"] = row.MissedSpam,
                    ["false_positives"] = row.FalsePositives,
                    ["is_revoked"] = key.IsRevoked,
                }).ToList(),
                ["limit"] = limit,
                ["offset"] = offset,
                ["total"] = rows.Count,
            };
            return Json(body);
        });
    }

    /// <summary>The WordPress plugin's account check after verify-key: it keeps a key only when <c>status</c> is
    /// <c>active</c>, and shows <c>account_name</c>, <c>account_type</c> and <c>next_billing_date</c>. A self-hosted
    /// key has no plan or bill; revoked and unknown keys get <c>invalid</c>, as Akismet answers.</summary>
    private static async Task GetSubscriptionAsync(HttpContext context)
    {
        await RespondAsync(context, async services =>
        {
            var key = await KeyOfAsync(context, services);
            return Json(new Dictionary<string, object?>
            {
                ["status"] = "active",
                ["account_id"] = key.Id,
                ["account_name"] = "SpamGuard (self-hosted)",
                ["account_type"] = "self-hosted",
                ["next_billing_date"] = null,
                ["limit_reached"] = services.GetRequiredService<ISiteRateLimiter>().IsThrottled(key.Id),
                ["sites"] = key.Sites.Count,
            });
        });
    }

    /// <summary>The plugin's statistics card: <c>from=6-months</c> or <c>all</c>, summed from the key's usage counts
    /// for the blog (all of the key's sites when the blog is not one of them). No <c>time_saved</c>: nothing measures
    /// it, and the plugin shows its notice only when the field is there.</summary>
    private static async Task GetStatsAsync(HttpContext context)
    {
        await RespondAsync(context, async services =>
        {
            var key = await KeyOfAsync(context, services);
            var form = await ReadAsync(context, services, bodyRequired: false);
            var months = form.Get("from") switch
            {
                "" or "all" => AllMonths,
                "6-months" => 6,
                "60-days" => 3,
                _ => throw new AkismetInvalidException("from must be 6-months, 60-days or all."),
            };
            var site = key.Sites.Contains(form.Blog, StringComparer.Ordinal) ? form.Blog
                : Uri.TryCreate(form.Blog, UriKind.Absolute, out var blog) && key.Sites.Contains(blog.ToString(), StringComparer.Ordinal) ? blog.ToString()
                : null;
            var counter = services.GetRequiredService<SiteUsageCounter>();
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            long spam = 0, ham = 0, missed = 0, falsePositives = 0;
            for (var back = 0; back < months; back++)
            {
                foreach (var row in await counter.ReadAsync(key.Id, SiteUsageCounter.MonthOf(now.AddMonths(-back)), context.RequestAborted))
                {
                    if (site is null || row.Site == site)
                    {
                        (spam, ham, missed, falsePositives) = (spam + row.Spam, ham + row.Ham, missed + row.MissedSpam, falsePositives + row.FalsePositives);
                    }
                }
            }

            var checkedCount = spam + ham;
            // Akismet's accuracy: the share of checks the blog did not have to correct.
            var accuracy = checkedCount == 0 ? 100.0 : Math.Round(100.0 * Math.Max(0, checkedCount - missed - falsePositives) / checkedCount, 2);
            return Json(new Dictionary<string, object?>
            {
                ["spam"] = spam,
                ["ham"] = ham,
                ["missed_spam"] = missed,
                ["false_positives"] = falsePositives,
                ["accuracy"] = accuracy,
            });
        });
    }

    /// <summary>The plugin's call when it is deactivated; it expects <c>deactivated</c>. It changes nothing here: a
    /// site key is issued and revoked by the operator (<c>spamguard keys revoke</c>), not released by a blog.</summary>
    private static async Task DeactivateAsync(HttpContext context)
    {
        await RespondAsync(context, async services =>
        {
            await KeyOfAsync(context, services);
            return Text("deactivated");
        });
    }

    /// <summary>Akismet's alert headers (the WordPress plugin stores them and shows the message on its pages), and
    /// when to retry.</summary>
    private static void Alert(HttpContext context, string message, TimeSpan? retryAfter = null)
    {
        context.Response.Headers["X-akismet-alert-code"] = RateLimitedAlertCode;
        context.Response.Headers["X-akismet-alert-msg"] = message;
        if (retryAfter is { } after)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The outcome as the docs name it, in snake_case (<c>test_not_learned</c>).</summary>
    public static string OutcomeName(FeedbackOutcome outcome) =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.ToString());

    private static async Task ExplanationAsync(HttpContext context, string guid)
    {
        await RespondAsync(context, async services =>
        {
            var form = await ReadAsync(context, services, bodyRequired: false);
            // The key is judged before the id is looked up, so a caller without a valid key gets the same answer
            // for every id and cannot learn which exist. (Any site will do: only "no valid key" matters here.)
            var gate = await services.GetRequiredService<SiteKeyGate>().DecideAsync(form.Key, ExplanationProbeSite, context.RequestAborted);
            if (gate.Access == SiteAccess.Unauthenticated)
            {
                throw new SiteCallRefusedException(SiteRefusal.Unauthenticated, "A valid site key is required.");
            }

            CheckRecord? record;
            try
            {
                record = await services.GetRequiredService<SiteCallService>().ExplainAsync(form.Key, guid, context.RequestAborted);
            }
            catch (SiteCallRefusedException ex) when (ex.Reason == SiteRefusal.OtherSite)
            {
                // Another site's check looks exactly like an unknown one.
                record = null;
            }

            return record is null
                ? new AkismetAnswer(404, JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = "No kept check of this key's sites has this guid: unknown, expired, another site's, or a test call (is_test), which is not kept." }), "application/json; charset=utf-8")
                : new AkismetAnswer(200, ExplanationJson.Format(record.ToResponse()), "application/json; charset=utf-8");
        });
    }

    /// <summary>Runs <paramref name="handle"/> and writes its answer, or Akismet's <c>invalid</c> for every failure
    /// a client can cause or retry.</summary>
    private static async Task RespondAsync(HttpContext context, Func<IServiceProvider, Task<AkismetAnswer>> handle)
    {
        var services = context.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AkismetEndpoints));
        AkismetAnswer answer;
        try
        {
            answer = await handle(services);
        }
        catch (AkismetInvalidException ex)
        {
            Log.AkismetRejected(logger, context.Request.Path.ToString(), ex.Message);
            answer = Invalid(ex.Message);
        }
        catch (InvalidRequestException ex)
        {
            Log.InvalidRequest(logger, context.Request.Path.ToString(), string.Join(", ", ex.Violations.Select(v => v.Field)));
            answer = Invalid(AkismetForm.Describe(ex));
        }
        catch (SiteCallRefusedException ex) when (ex.Reason == SiteRefusal.RateLimited)
        {
            // Comment checks answer over a limit in their own handler (spam-side, 200). Every other call was not
            // done: a report over its limit is answered 429 so the client retries it (nothing is lost by a retry),
            // and a key lookup refused for its source says "invalid", as an unverifiable key is.
            Alert(context, ex.KeyLookupsRefused ? GuessLimitedAlert : RateLimitedAlert, ex.RetryAfter);
            answer = Invalid(ex.Message, context.Request.Path.StartsWithSegments("/1.1/verify-key", StringComparison.Ordinal) ? StatusCodes.Status200OK : StatusCodes.Status429TooManyRequests);
        }
        catch (SiteCallRefusedException ex)
        {
            answer = Invalid(ex.Reason == SiteRefusal.OtherSite
                ? ex.Message
                : "The key is missing, unknown or revoked: send it as api_key (or key), or as the first label of the host name.");
        }
        catch (CheckNotFoundException ex)
        {
            answer = Invalid(ex.Message);
        }
        catch (ModelNotReadyException)
        {
            context.Response.Headers.RetryAfter = "1";
            answer = Invalid("No spam model is loaded yet; retry shortly.", StatusCodes.Status503ServiceUnavailable);
        }
        catch (StoreUnavailableException)
        {
            context.Response.Headers.RetryAfter = "1";
            answer = Invalid("A store did not answer in time; retry shortly.", StatusCodes.Status503ServiceUnavailable);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (answer.DebugHelp is { } help)
        {
            var header = HeaderSafe(help);
            context.Response.Headers["X-akismet-debug-help"] = header;
            context.Response.Headers["X-akismet-error"] = header;
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private static async Task<AkismetForm> ReadAsync(HttpContext context, IServiceProvider services, bool bodyRequired) =>
        context.Items.TryGetValue(typeof(AkismetForm), out var read) && read is AkismetForm form
            ? form
            : (AkismetForm)(context.Items[typeof(AkismetForm)] = await AkismetForm.ReadAsync(context, Limits(services), bodyRequired));

    /// <summary>The valid key the call is made with (usage calls need one, whatever site).</summary>
    private static async Task<SiteKey> KeyOfAsync(HttpContext context, IServiceProvider services)
    {
        var form = await ReadAsync(context, services, bodyRequired: false);
        return await services.GetRequiredService<SiteKeyGate>().FindAsync(form.Key, context.RequestAborted)
            ?? throw new SiteCallRefusedException(SiteRefusal.Unauthenticated, "A valid site key is required.");
    }

    private static Uri Site(AkismetForm form, IServiceProvider services)
    {
        var violations = new List<Google.Rpc.BadRequest.Types.FieldViolation>();
        var site = CheckCommentRequestMapper.RequiredHttpUrl(form.Blog, "site", Limits(services).MaxFieldBytes, violations);
        return site ?? throw new InvalidRequestException(violations);
    }

    private static ScoringOptions Limits(IServiceProvider services) => services.GetRequiredService<IOptions<ScoringOptions>>().Value;

    private static bool TryInt(string value, int fallback, int min, int max, out int parsed)
    {
        parsed = fallback;
        return value.Length == 0 || (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out parsed) && parsed >= min && parsed <= max);
    }

    private static string Csv(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;

    // Header values are ASCII without control characters; reasons can quote a client's field name.
    private static string HeaderSafe(string value)
    {
        var safe = new StringBuilder(Math.Min(value.Length, 1000));
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, 1000)))
        {
            safe.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return safe.ToString();
    }

    private static AkismetAnswer Text(string body) => new(200, body, "text/plain; charset=utf-8");

    private static AkismetAnswer Json<TValue>(Dictionary<string, TValue> body) => new(200, JsonSerializer.Serialize(body), "application/json; charset=utf-8");

    private static AkismetAnswer Invalid(string help, int status = StatusCodes.Status200OK) => new(status, "invalid", "text/plain; charset=utf-8")
    {
        DebugHelp = help,
    };

    private sealed record AkismetAnswer(int Status, string Body, string ContentType)
    {
        public string? DebugHelp { get; init; }
    }
}
