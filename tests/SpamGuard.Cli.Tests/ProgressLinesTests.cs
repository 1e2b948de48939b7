using SpamGuard.Cli.Commands;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Tests;

/// <summary>Retrain progress as plain lines when stdout is not a terminal.</summary>
public sealed class ProgressLinesTests
{
    [Fact]
    public void A_line_only_when_the_phase_or_the_whole_percent_changes()
    {
        var lines = new ProgressLines();
        (string Phase, double Percent, long Rows)[] messages =
        [
            ("reading data", 0, 0),
            ("reading data", 0.4, 500),
            ("reading data", 12.7, 1234),
            ("reading data", 12.9, 1300),
            ("calibration fold 2/5", 12.9, 1300),
            ("calibration fold 2/5", 42.99, 1300),
            ("calibration fold 2/5", 43, 1300),
            ("done", 100, 6046),
        ];

        var printed = messages
            .Select(m => lines.Next(new RetrainProgress { Phase = m.Phase, Percent = m.Percent, RowsRead = m.Rows }))
            .OfType<string>()
            .ToList();

        Assert.Equal(
        [
            "[  0%] reading data (0 rows)",
            "[ 12%] reading data (1234 rows)",
            "[ 12%] calibration fold 2/5 (1300 rows)",
            "[ 42%] calibration fold 2/5 (1300 rows)",
            "[ 43%] calibration fold 2/5 (1300 rows)",
            "[100%] done (6046 rows)",
        ], printed);
    }

    [Theory]
    [InlineData(-5, 0)]
    [InlineData(99.99, 99)]
    [InlineData(250, 100)]
    [InlineData(double.NaN, 0)]
    public void Whole_percent_rounds_down_and_stays_in_range(double percent, int expected) =>
        Assert.Equal(expected, ProgressLines.WholePercent(new RetrainProgress { Percent = percent }));
}
