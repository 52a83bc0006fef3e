using System.Security.Cryptography;
using VroegSignalering.Azure.KeyManagement;

namespace VroegSignalering.Azure.Tests.KeyManagement;

/// <summary>Key ids name Key Vault secrets, app settings and operator endpoint paths: the app refuses to start with one that cannot be all three.</summary>
public sealed class KeyOptionsTests
{
    [Theory]
    [InlineData("k2", true)]
    [InlineData("K2026a", true)]
    [InlineData("k-2", false)]
    [InlineData("k 2", false)]
    [InlineData("k.2", false)]
    public void A_key_id_is_letters_and_digits(string id, bool valid)
    {
        var ring = new KeyRingOptions { ActiveKeyId = id, Keys = { [id] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) } };

        var error = ring.Decode("Encryption").Error;

        if (valid)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Equal($"Keys:Encryption:Keys:{id}: a key id is 1 to 64 letters and digits", error);
        }
    }
}
