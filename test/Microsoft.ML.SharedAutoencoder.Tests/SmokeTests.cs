namespace Microsoft.ML.SharedAutoencoder.Tests
{
    [TestClass]
    public sealed class SmokeTests
    {
        [TestMethod]
        public void MLContextCanBeCreated() => Assert.IsNotNull(new MLContext(seed: 1).Transforms);
    }
}
