namespace SpamGuard.Core.Keys;

/// <summary>
/// Failed key verifications, budgeted per caller: what makes a 12-character key safe to put on the network. The host
/// knows who the caller is (its address) and supplies the limiter; Core only asks before a key is looked up and
/// reports a failure after. Keys that verified recently are not asked about, so a guesser sharing an address with a
/// site cannot lock the site out once its key is known to this node.
/// </summary>
public interface IKeyGuessLimiter
{
    /// <summary>Whether the current caller may have a key looked up; false, with when to retry if known, once its
    /// failures used up its budget.</summary>
    bool MayVerify(out TimeSpan? retryAfter);

    /// <summary>The current caller presented a key that is unknown or revoked.</summary>
    void Failed();
}

/// <summary>No budget (tests, and hosts that know no caller).</summary>
public sealed class UnlimitedKeyGuesses : IKeyGuessLimiter
{
    public bool MayVerify(out TimeSpan? retryAfter)
    {
        retryAfter = null;
        return true;
    }

    public void Failed()
    {
    }
}
