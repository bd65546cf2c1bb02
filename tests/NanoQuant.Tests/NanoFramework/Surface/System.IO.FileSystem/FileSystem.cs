// Reference surface of nanoFramework.System.IO.FileSystem 1.1.x (assembly System.IO.FileSystem):
// File, FileStream, Directory, Path and their enums, checked against the package's sources (the text
// helpers that need StreamReader/StreamWriter and the nanoFramework-specific SD card classes are left
// out). Declarations only, for nanoQuant's guard test. Drive letters on nanoFramework: I:\ internal
// flash, D:\ (E:\ ...) SD card or USB mass storage.

namespace System.IO
{
    public enum FileMode
    {
        CreateNew = 1,
        Create = 2,
        Open = 3,
        OpenOrCreate = 4,
        Truncate = 5,
        Append = 6,
    }

    [Flags]
    public enum FileAccess
    {
        Read = 1,
        Write = 2,
        ReadWrite = 3,
    }

    [Flags]
    public enum FileShare
    {
        None = 0,
        Read = 1,
        Write = 2,
        ReadWrite = 3,
    }

    public class FileStream : Stream
    {
        public FileStream(string path, FileMode mode) { }
        public FileStream(string path, FileMode mode, FileAccess access) { }
        public FileStream(string path, FileMode mode, FileAccess access, FileShare share) { }
        public FileStream(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize) { }
        public override bool CanRead { get { throw null; } }
        public override bool CanSeek { get { throw null; } }
        public override bool CanWrite { get { throw null; } }
        public override long Length { get { throw null; } }
        public override long Position { get { throw null; } set { } }
        public string Name { get { throw null; } }
        public override void Close() { throw null; }
        protected override void Dispose(bool disposing) { throw null; }
        public override void Flush() { throw null; }
        public override int Read(byte[] buffer, int offset, int count) { throw null; }
        public override int Read(SpanByte buffer) { throw null; }
        public override int ReadByte() { throw null; }
        public override long Seek(long offset, SeekOrigin origin) { throw null; }
        public override void SetLength(long value) { throw null; }
        public override void Write(byte[] buffer, int offset, int count) { throw null; }
        public override void WriteByte(byte value) { throw null; }
    }

    public static class File
    {
        public static void Copy(string sourceFileName, string destFileName) { throw null; }
        public static void Copy(string sourceFileName, string destFileName, bool overwrite) { throw null; }
        public static FileStream Create(string path) { throw null; }
        public static FileStream Create(string path, int bufferSize) { throw null; }
        public static void Delete(string path) { throw null; }
        public static bool Exists(string path) { throw null; }
        public static void Move(string sourceFileName, string destFileName) { throw null; }
        public static FileStream Open(string path, FileMode mode) { throw null; }
        public static FileStream Open(string path, FileMode mode, FileAccess access) { throw null; }
        public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share) { throw null; }
        public static FileStream OpenRead(string path) { throw null; }
        public static FileStream OpenWrite(string path) { throw null; }
        public static byte[] ReadAllBytes(string path) { throw null; }
        public static void WriteAllBytes(string path, byte[] bytes) { throw null; }
    }

    public static class Directory
    {
        public static void Delete(string path) { throw null; }
        public static void Delete(string path, bool recursive) { throw null; }
        public static bool Exists(string path) { throw null; }
        public static string GetCurrentDirectory() { throw null; }
        public static string[] GetFiles(string path) { throw null; }
        public static string[] GetDirectories(string path) { throw null; }
        public static void Move(string sourceDirName, string destDirName) { throw null; }
        public static void SetCurrentDirectory(string path) { throw null; }
    }

    public static class Path
    {
        public static readonly char DirectorySeparatorChar = '\\';
        public static readonly char AltDirectorySeparatorChar = '/';
        public static readonly char VolumeSeparatorChar = ':';
        public static readonly char PathSeparator = ';';
        public static string ChangeExtension(string path, string extension) { throw null; }
        public static string Combine(string path1, string path2) { throw null; }
        public static string GetDirectoryName(string path) { throw null; }
        public static string GetExtension(string path) { throw null; }
        public static string GetFileName(string path) { throw null; }
        public static string GetFileNameWithoutExtension(string path) { throw null; }
        public static string GetFullPath(string path) { throw null; }
        public static string GetPathRoot(string path) { throw null; }
        public static bool HasExtension(string path) { throw null; }
        public static bool IsPathRooted(string path) { throw null; }
    }
}
