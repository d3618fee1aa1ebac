using System.Runtime.CompilerServices;

// Every native signature is blittable (pointers and primitives), so no marshalling stubs are needed.
[assembly: DisableRuntimeMarshalling]
