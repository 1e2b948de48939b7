using System.Text.Json;
using SpamGuard.Core.Features;
using SpamGuard.ML.Models;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

public sealed class ModelFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-models").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyTinyModel()
    {
        var zip = Path.Combine(_dir, Path.GetFileName(TinyModel.ZipPath));
        File.Copy(TinyModel.ZipPath, zip);
        File.Copy(ModelFiles.CardPathFor(TinyModel.ZipPath), ModelFiles.CardPathFor(zip));
        return zip;
    }

    [Fact]
    public void SaveThenLoad_ScoresLikeTheTrainedModel()
    {
        var trained = TinyModel.TrainInMemory();
        var zip = ModelFiles.Save(_dir, trained);
        var features = CommentFeatureExtractor.Extract("Make $5000 a week from home, click http://promo.example/join", null);

        var (loaded, card) = ModelFiles.Load(zip);

        Assert.Equal(trained.Model.Margin(features), loaded.Margin(features), 5);
        Assert.Equal(trained.Card.ModelVersion, card.ModelVersion);
        Assert.True(File.Exists(Path.ChangeExtension(zip, ".md")));
    }

    [Fact]
    public void Load_MissingFile_SaysWhichFile()
    {
        var path = Path.Combine(_dir, "nope-1.0.0.zip");

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingCard_IsRefused()
    {
        var zip = CopyTinyModel();
        File.Delete(ModelFiles.CardPathFor(zip));

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));

        Assert.Contains("card", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptZip_IsRefused()
    {
        var zip = CopyTinyModel();
        File.WriteAllBytes(zip, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5]);

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));

        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedZip_IsRefused()
    {
        var zip = CopyTinyModel();
        var bytes = File.ReadAllBytes(zip);
        File.WriteAllBytes(zip, bytes[..(bytes.Length / 2)]);

        Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));
    }

    [Fact]
    public void Load_CardWithInvalidThresholds_IsRefused()
    {
        var zip = CopyTinyModel();
        var card = ModelFiles.ReadCard(zip);
        File.WriteAllText(ModelFiles.CardPathFor(zip), JsonSerializer.Serialize(
            card with { Thresholds = card.Thresholds with { Spam = 0.99, Discard = 0.5 } }, ModelFiles.CardJson));

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));

        Assert.Contains("thresholds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CardOfAnotherFormat_IsRefused()
    {
        var zip = CopyTinyModel();
        var card = ModelFiles.ReadCard(zip);
        File.WriteAllText(ModelFiles.CardPathFor(zip), JsonSerializer.Serialize(card with { Format = 99 }, ModelFiles.CardJson));

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));

        Assert.Contains("format", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("calibration")]
    [InlineData("thresholds")]
    public void Load_CardWithANullSection_IsRefused(string section)
    {
        var zip = CopyTinyModel();
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ModelFiles.CardPathFor(zip)))!;
        json[section] = null;
        File.WriteAllText(ModelFiles.CardPathFor(zip), json.ToJsonString());

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));

        Assert.Contains(section, ex.Message, StringComparison.Ordinal);
    }

    private static readonly JsonSerializerOptions NamedFloats = new(ModelFiles.CardJson)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.5)]
    [InlineData(double.PositiveInfinity)]
    public void Load_CardWithUnusableCalibration_IsRefused(double slope)
    {
        var zip = CopyTinyModel();
        var card = ModelFiles.ReadCard(zip);
        File.WriteAllText(ModelFiles.CardPathFor(zip), JsonSerializer.Serialize(card with { Calibration = card.Calibration with { Slope = slope } }, NamedFloats));

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));

        Assert.Contains("calibration", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 0f)]
    [InlineData(9, float.NaN)]
    public void Load_CardWithUnusableStatisticReference_IsRefused(int count, float value)
    {
        var zip = CopyTinyModel();
        var card = ModelFiles.ReadCard(zip);
        File.WriteAllText(ModelFiles.CardPathFor(zip), JsonSerializer.Serialize(card with { StatisticReference = [.. Enumerable.Repeat(value, count)] }, NamedFloats));

        var ex = Assert.Throws<ModelLoadException>(() => ModelFiles.Load(zip));

        Assert.Contains("statistic reference", ex.Message, StringComparison.Ordinal);
    }
}
