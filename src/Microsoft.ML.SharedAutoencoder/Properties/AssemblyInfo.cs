using System.Runtime.CompilerServices;

// The library derives from and calls ML.NET members that are internal (model save/load, row mappers). It compiles
// against publicized copies of these assemblies (see the csproj); at run time this attribute tells the runtime to
// allow those accesses.
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]
