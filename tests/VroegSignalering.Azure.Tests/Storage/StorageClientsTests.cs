using Azure;
using Microsoft.Extensions.Configuration;
using VroegSignalering.Azure.Storage;
using VroegSignalering.Testing;

namespace VroegSignalering.Azure.Tests.Storage;

public class StorageClientsTests
{
    [Fact]
    public void A_missing_connection_names_the_settings_to_set()
    {
        var configuration = new ConfigurationBuilder().Build();

        var ex = Assert.Throws<InvalidOperationException>(() => StorageClients.FromConfiguration(configuration));

        Assert.Contains("AzureWebJobsStorage__accountName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_based_settings_build_clients_for_the_account_endpoints()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:accountName"] = "vroegdata",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();

        var clients = StorageClients.FromConfiguration(configuration);

        Assert.Equal("https://vroegdata.queue.core.windows.net/", clients.Queues.Uri.ToString());
        Assert.Equal("vroegdata", clients.Tables.AccountName);
    }

    [Fact]
    public async Task Queue_clients_write_base64_as_the_functions_queue_trigger_expects()
    {
        var clients = Azurite.Clients();
        var name = Azurite.UniqueName("enc");
        var queue = clients.Queues.GetQueueClient(name);
        await queue.CreateAsync();
        try
        {
            await queue.SendMessageAsync("""{"a":1}""");

            var raw = (await clients.RawQueues.GetQueueClient(name).PeekMessageAsync()).Value;

            Assert.Equal(Convert.ToBase64String("""{"a":1}"""u8.ToArray()), raw.Body.ToString());
        }
        finally
        {
            await queue.DeleteAsync();
        }
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(503, true)]
    [InlineData(500, true)]
    [InlineData(409, false)]
    [InlineData(404, false)]
    [InlineData(400, false)]
    public void Storage_failures_are_transient_only_for_throttling_and_server_errors(int status, bool transient)
    {
        Assert.Equal(transient, TransientFailure.IsTransient(new RequestFailedException(status, "x")));
    }
}
