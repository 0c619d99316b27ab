namespace System.Runtime.CompilerServices
{
    /// <summary>
    /// Honoured by the .NET runtime: accesses from this assembly to non-public members of the named assembly are
    /// not checked. The runtime looks the attribute up by name, so each assembly that needs it declares it.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        /// <summary>Creates the attribute for the assembly with the given simple name.</summary>
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        /// <summary>The simple name of the assembly whose non-public members may be accessed.</summary>
        public string AssemblyName { get; }
    }
}
