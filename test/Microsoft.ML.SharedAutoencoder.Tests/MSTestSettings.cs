// Tests share one process; each creates its own MLContext, so they may run in parallel by class.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]
