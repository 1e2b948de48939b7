using System.Text;

namespace SpamGuard.ML.Data;

/// <summary>An RFC 4180 reader: quoted fields may hold commas, doubled quotes and newlines.</summary>
internal static class CsvParser
{
    internal sealed record Record(int Line, IReadOnlyList<string> Fields);

    public static List<Record> Parse(string content, string path)
    {
        var records = new List<Record>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        var i = 0;
        while (i < content.Length)
        {
            var c = content[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < content.Length && content[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    inQuotes = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                i++;
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    inQuotes = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r' when i + 1 < content.Length && content[i + 1] == '\n':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add(new Record(recordLine, fields));
                    fields = [];
                    line++;
                    recordLine = line;
                    break;
                default:
                    field.Append(c);
                    break;
            }

            i++;
        }

        if (inQuotes)
        {
            throw new TrainingDataException($"{path}:{recordLine}: a quoted field is never closed.");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add(new Record(recordLine, fields));
        }

        return records;
    }
}
