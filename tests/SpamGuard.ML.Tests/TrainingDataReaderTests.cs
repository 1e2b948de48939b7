using SpamGuard.ML.Data;

namespace SpamGuard.ML.Tests;

public sealed class TrainingDataReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-reader").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Read_Jsonl_ReadsRowsAndCountsLabels()
    {
        var path = Write("a.jsonl",
            """
            {"id": "1", "source": "s", "author": "Ann", "date": null, "content": "hello", "label": "ham"}
            {"id": "2", "source": "s", "author": null, "date": "2013-01-01T00:00:00", "content": "buy now", "label": "spam"}

            """);

        var (examples, file) = TrainingDataReader.Read(path);

        Assert.Equal(2, examples.Count);
        Assert.Equal(("Ann", "hello", false), (examples[0].Author, examples[0].Content, examples[0].IsSpam));
        Assert.True(examples[1].IsSpam);
        Assert.Equal((2, 1, 1), (file.Rows, file.Spam, file.Ham));
        Assert.Equal(64, file.Sha256.Length);
    }

    [Fact]
    public void Read_BadJsonLine_NamesFileAndLine()
    {
        var path = Write("bad.jsonl", "{\"content\": \"ok\", \"label\": \"ham\"}\n{not json}\n");

        var ex = Assert.Throws<TrainingDataException>(() => TrainingDataReader.Read(path));

        Assert.Contains("bad.jsonl:2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownLabel_NamesLabelAndLine()
    {
        var path = Write("label.jsonl", "{\"content\": \"ok\", \"label\": \"maybe\"}\n");

        var ex = Assert.Throws<TrainingDataException>(() => TrainingDataReader.Read(path));

        Assert.Contains(":1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("maybe", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingContent_IsAnError()
    {
        var path = Write("nocontent.jsonl", "{\"label\": \"ham\"}\n");

        var ex = Assert.Throws<TrainingDataException>(() => TrainingDataReader.Read(path));

        Assert.Contains("content", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_SaysNotFound()
    {
        var ex = Assert.Throws<TrainingDataException>(() => TrainingDataReader.Read(Path.Combine(_dir, "nope.jsonl")));

        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CsvWithQuotedNewlinesAndClassColumn_ParsesLikeRfc4180()
    {
        var path = Write("yt.csv",
            "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n" +
            "a1,Bob,,\"line one\nline two, with comma and \"\"quotes\"\"\",1\n" +
            "a2,Eve,2014-01-01,plain,0\n");

        var (examples, _) = TrainingDataReader.Read(path);

        Assert.Equal(2, examples.Count);
        Assert.Equal("line one\nline two, with comma and \"quotes\"", examples[0].Content);
        Assert.True(examples[0].IsSpam);
        Assert.Equal(("a2", "Eve", false), (examples[1].Id, examples[1].Author, examples[1].IsSpam));
    }

    [Fact]
    public void Read_CsvWithoutLabelColumn_IsAnError()
    {
        var path = Write("nolabel.csv", "content,other\nhi,1\n");

        var ex = Assert.Throws<TrainingDataException>(() => TrainingDataReader.Read(path));

        Assert.Contains("label", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteJsonl_RoundTripsThroughRead()
    {
        var examples = new[] { new TrainingExample("x", "c", "src", null, "text \uFEFF with \"quotes\"", true) };
        var path = Path.Combine(_dir, "out.jsonl");

        TrainingDataReader.WriteJsonl(path, examples);
        var (read, _) = TrainingDataReader.Read(path);

        Assert.Equal(examples[0].Content, read[0].Content);
        Assert.True(read[0].IsSpam);
    }
}
