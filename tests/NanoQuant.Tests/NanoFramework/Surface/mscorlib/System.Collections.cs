// Reference surface of nanoFramework's mscorlib (CoreLibrary 1.17.x), namespace System.Collections:
// the non-generic collection interfaces and ArrayList. See System.cs for what this surface is.

namespace System.Collections
{
    public interface IEnumerable
    {
        IEnumerator GetEnumerator();
    }

    public interface IEnumerator
    {
        bool MoveNext();
        object Current { get; }
        void Reset();
    }

    public interface ICollection : IEnumerable
    {
        void CopyTo(Array array, int index);
        int Count { get; }
        object SyncRoot { get; }
        bool IsSynchronized { get; }
    }

    public interface IList : ICollection
    {
        object this[int index] { get; set; }
        int Add(object value);
        bool Contains(object value);
        void Clear();
        bool IsReadOnly { get; }
        bool IsFixedSize { get; }
        int IndexOf(object value);
        void Insert(int index, object value);
        void Remove(object value);
        void RemoveAt(int index);
    }

    public interface IComparer
    {
        int Compare(object x, object y);
    }

    public interface IEqualityComparer
    {
        bool Equals(object x, object y);
        int GetHashCode(object obj);
    }

    public class ArrayList : IList, ICloneable
    {
        public ArrayList() { }
        public virtual int Capacity { get { throw null; } set { } }
        public virtual int Count { get { throw null; } }
        public virtual bool IsFixedSize { get { throw null; } }
        public virtual bool IsReadOnly { get { throw null; } }
        public virtual bool IsSynchronized { get { throw null; } }
        public virtual object SyncRoot { get { throw null; } }
        public virtual object this[int index] { get { throw null; } set { } }
        public virtual int Add(object value) { throw null; }
        public virtual int BinarySearch(object value, IComparer comparer) { throw null; }
        public virtual void Clear() { throw null; }
        public virtual object Clone() { throw null; }
        public virtual bool Contains(object value) { throw null; }
        public virtual void CopyTo(Array array) { throw null; }
        public virtual void CopyTo(Array array, int arrayIndex) { throw null; }
        public virtual IEnumerator GetEnumerator() { throw null; }
        public virtual int IndexOf(object value) { throw null; }
        public virtual int IndexOf(object value, int startIndex) { throw null; }
        public virtual int IndexOf(object value, int startIndex, int count) { throw null; }
        public virtual void Insert(int index, object value) { throw null; }
        public virtual void Remove(object value) { throw null; }
        public virtual void RemoveAt(int index) { throw null; }
        public virtual object[] ToArray() { throw null; }
        public virtual Array ToArray(Type type) { throw null; }
    }
}
