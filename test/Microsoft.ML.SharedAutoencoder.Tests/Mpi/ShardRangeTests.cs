using System;
using Microsoft.ML.SharedAutoencoder.Mpi;

namespace Microsoft.ML.SharedAutoencoder.Tests.Mpi
{
    [TestClass]
    public sealed class ShardRangeTests
    {
        [TestMethod]
        public void ShardsCoverTheRowsInOrderWithWholeChunks()
        {
            foreach (long total in new[] { 1024L, 5000, 10_000, 1_000_000, 1L << 40 })
            {
                foreach (int size in new[] { 1, 2, 3, 7 })
                {
                    if ((total + 1023) / 1024 < size)
                        continue;
                    long next = 0;
                    for (int rank = 0; rank < size; rank++)
                    {
                        (long first, long count) = DistributedTraining.ShardRange(total, rank, size);
                        Assert.AreEqual(next, first, $"N = {total}, P = {size}, rank {rank}");
                        Assert.IsGreaterThan(0L, count);
                        if (rank < size - 1)
                            Assert.AreEqual(0L, count % DistributedTraining.ShardAlignment);
                        next = first + count;
                    }
                    Assert.AreEqual(total, next);
                }
            }
        }

        [TestMethod]
        public void ShardsAreRTimesNOverPWhenNIsAMultipleOfPChunks()
        {
            const long total = 1024L * 4 * 25;
            for (int rank = 0; rank < 4; rank++)
                Assert.AreEqual((rank * total / 4, total / 4), DistributedTraining.ShardRange(total, rank, 4));
        }

        [TestMethod]
        public void TooManyRanksOrBadArgumentsAreRefused()
        {
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DistributedTraining.ShardRange(2048, 0, 3));
            Assert.Contains("at most 2 ranks", error.Message);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DistributedTraining.ShardRange(5000, 2, 2));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DistributedTraining.ShardRange(5000, 0, 0));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DistributedTraining.ShardRange(0, 0, 1));
        }
    }
}
