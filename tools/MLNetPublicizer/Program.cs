// Writes compile-time copies of assemblies in which internal types and members are public.
// ML.NET keeps everything a savable transformer needs internal (dotnet/machinelearning #4911, #3243); the
// library compiles against these copies and, at run time, reaches the real members through
// IgnoresAccessChecksToAttribute.
//
// Usage: MLNetPublicizer <output-directory> <assembly.dll>...
using System;
using System.IO;
using System.Linq;
using Mono.Cecil;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: MLNetPublicizer <output-directory> <assembly.dll>...");
    return 2;
}

string outputDirectory = args[0];
Directory.CreateDirectory(outputDirectory);
var resolver = new DefaultAssemblyResolver();
foreach (string directory in args.Skip(1).Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct())
    resolver.AddSearchDirectory(directory);

foreach (string path in args.Skip(1))
{
    using var assembly = AssemblyDefinition.ReadAssembly(path, new ReaderParameters { AssemblyResolver = resolver });
    foreach (TypeDefinition type in assembly.MainModule.GetTypes())
    {
        if (type.IsNested)
            type.IsNestedPublic = true;
        else
            type.IsPublic = true;

        // An event's backing field has the event's name; exposing it would make the name ambiguous.
        var eventNames = type.Events.Select(e => e.Name).ToHashSet();
        foreach (FieldDefinition field in type.Fields.Where(f => !eventNames.Contains(f.Name)))
            field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | (FieldAttributes)Widen((int)(field.Attributes & FieldAttributes.FieldAccessMask));
        foreach (MethodDefinition method in type.Methods)
            method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | (MethodAttributes)Widen((int)(method.Attributes & MethodAttributes.MemberAccessMask));
    }
    assembly.Write(Path.Combine(outputDirectory, Path.GetFileName(path)));
}
return 0;

// Fields and methods encode accessibility with the same three bits (ECMA-335 II.23.1.5, II.23.1.10).
// private protected becomes protected (so our overrides stay protected and ML.NET internals do not leak into
// the public surface); private and internal become public; protected and protected internal stay as they are.
static int Widen(int access) => access switch
{
    2 /* private protected */ => 4 /* protected */,
    1 /* private */ or 3 /* internal */ => 6 /* public */,
    _ => access,
};
