using SpamGuard.ML.Data;

namespace SpamGuard.Testing;

/// <summary>
/// A small, hand-written labelled corpus for tests, so the suite never needs ../shared. Spam and ham are built from
/// templates crossed with fillers, which gives enough distinct texts to train, calibrate and validate a tiny model.
/// </summary>
public static class FixtureCorpus
{
    private static readonly string[] SpamTemplates =
    [
        "Buy cheap {0} online at http://{1}/order now, best price guaranteed!!!",
        "WINNER!! You have won a {0} prize. Call 09061701461 now to claim, T&C apply",
        "Check out my channel and subscribe for free {0} giveaways http://{1}",
        "Make $5000 a week from home selling {0}, click http://{1}/join today",
        "FREE {0} for the first 100 people, visit www.{1} and enter your card details",
        "Hot singles in your area want {0}, sign up free at http://{1}",
        "Cheap replica {0} and designer bags, discount code at http://{1}/sale",
        "URGENT your account is locked, verify your {0} at http://{1}/login immediately",
    ];

    private static readonly string[] SpamFillers =
    [
        "viagra", "watches", "bitcoin", "iphone", "casino chips", "followers", "loans", "pills", "gift cards", "crypto",
    ];

    private static readonly string[] SpamHosts =
    [
        "pills-shop.example", "win-big.example", "cheap-deals.example", "promo.example", "bestoffer.example",
    ];

    private static readonly string[] HamTemplates =
    [
        "Thanks for this post about {0}, it helped me understand the details much better.",
        "I disagree with the section on {0}; in my experience the trade-offs are different.",
        "Great write-up on {0}. Could you share the benchmark setup you used?",
        "We tried the same approach to {0} at work and ran into the issue you describe in part two.",
        "Minor typo in the paragraph about {0}, otherwise a clear and careful explanation.",
        "My daughter loved the photos of {0}, we are planning to visit next summer.",
        "Interesting point about {0}. Has anyone measured how it behaves on older hardware?",
        "I have been reading this blog for years and the piece on {0} is one of the best.",
    ];

    private static readonly string[] HamFillers =
    [
        "garbage collection", "the garden", "sourdough baking", "bird watching", "the new library", "rust lifetimes",
        "the hiking trail", "database indexes", "chess openings", "the school concert",
    ];

    /// <summary>All examples: 80 spam and 80 ham, each text distinct.</summary>
    public static IReadOnlyList<TrainingExample> Examples { get; } = Build();

    public static IEnumerable<TrainingExample> Spam => Examples.Where(e => e.IsSpam);

    public static IEnumerable<TrainingExample> Ham => Examples.Where(e => !e.IsSpam);

    /// <summary>Writes the corpus as JSONL in the ../shared/data schema and returns the path.</summary>
    public static string WriteJsonl(string directory, string fileName = "fixture.jsonl")
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        File.WriteAllLines(path, Examples.Select(e => System.Text.Json.JsonSerializer.Serialize(new
        {
            id = e.Id,
            source = e.Source,
            author = e.Author,
            date = (string?)null,
            content = e.Content,
            label = e.IsSpam ? "spam" : "ham",
        })));
        return path;
    }

    private static List<TrainingExample> Build()
    {
        var examples = new List<TrainingExample>();
        for (var i = 0; i < SpamTemplates.Length; i++)
        {
            for (var j = 0; j < SpamFillers.Length; j++)
            {
                var content = string.Format(System.Globalization.CultureInfo.InvariantCulture, SpamTemplates[i], SpamFillers[j], SpamHosts[(i + j) % SpamHosts.Length]);
                examples.Add(new TrainingExample($"spam-{i}-{j}", "fixture", "fixture", $"promo{i}{j}", content, IsSpam: true));
            }
        }

        for (var i = 0; i < HamTemplates.Length; i++)
        {
            for (var j = 0; j < HamFillers.Length; j++)
            {
                var content = string.Format(System.Globalization.CultureInfo.InvariantCulture, HamTemplates[i], HamFillers[j]);
                examples.Add(new TrainingExample($"ham-{i}-{j}", "fixture", "fixture", "Reader " + (char)('A' + j), content, IsSpam: false));
            }
        }

        return examples;
    }
}
