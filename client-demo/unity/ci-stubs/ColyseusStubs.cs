// The members of the Colyseus Unity SDK and UnityEngine that Parley's C# code uses, with the SDK's
// signatures and no behaviour: enough for CI to compile that code with mono's mcs, without Unity.
// Not shipped: in Unity, the real SDK and engine take their place.
using System;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Threading.Tasks;

namespace UnityEngine
{
    public class Object { }
    public class Component : Object { }
    public class Behaviour : Component { }
    public class MonoBehaviour : Behaviour { }
    public static class Debug
    {
        public static void Log(object message) { }
        public static void LogWarning(object message) { }
        public static void LogError(object message) { }
    }
    namespace Scripting
    {
        [AttributeUsage(AttributeTargets.All)]
        public class PreserveAttribute : Attribute { }
    }
}

namespace Colyseus.Schema
{
    public interface IRef { }
    public class Schema : IRef { }
    public class MapSchema<T> : IRef
    {
        public int Count => 0;
        public T this[string key] => default(T);
    }
    public class ArraySchema<T> : IRef
    {
        public int Count => 0;
        public T this[int index] => default(T);
    }

    [AttributeUsage(AttributeTargets.Field)]
    public class TypeAttribute : Attribute
    {
        public TypeAttribute(int index, string type, Type childType = null, string childPrimitiveType = null) { }
    }

    public delegate void PropertyChangeEventHandler<T>(T currentValue, T previousValue);
    public delegate void KeyValueEventHandler<K, T>(K key, T value);

    public class StateCallbackStrategy<TState> where TState : Schema
    {
        public Action Listen<TReturn>(Expression<Func<TState, TReturn>> property, PropertyChangeEventHandler<TReturn> handler, bool immediate = true) => () => { };
        public Action Listen<TInstance, TReturn>(TInstance instance, Expression<Func<TInstance, TReturn>> property, PropertyChangeEventHandler<TReturn> handler, bool immediate = true) where TInstance : Schema => () => { };
        public Action OnAdd<TReturn>(Expression<Func<TState, MapSchema<TReturn>>> property, KeyValueEventHandler<string, TReturn> handler, bool immediate = true) => () => { };
        public Action OnAdd<TReturn>(Expression<Func<TState, ArraySchema<TReturn>>> property, KeyValueEventHandler<int, TReturn> handler, bool immediate = true) => () => { };
        public Action OnRemove<TReturn>(Expression<Func<TState, MapSchema<TReturn>>> property, KeyValueEventHandler<string, TReturn> handler) => () => { };
        public Action OnRemove<TReturn>(Expression<Func<TState, ArraySchema<TReturn>>> property, KeyValueEventHandler<int, TReturn> handler) => () => { };
    }

    public static class Callbacks
    {
        public static StateCallbackStrategy<T> Get<T>(Colyseus.Room<T> room) where T : Schema => new StateCallbackStrategy<T>();
    }
}

namespace Colyseus
{
    public delegate void NoArgsEventHandler();
    public delegate void CloseWithCodeEventHandler(int code);
    public delegate void ErrorEventHandler(int code, string message);

    public class HTTP
    {
        public string AuthToken;
    }

    public class Client
    {
        public HTTP Http = new HTTP();
        public Client(string endpoint) { }
        public Task<Room<T>> JoinOrCreate<T>(string roomName, Dictionary<string, object> options = null, Dictionary<string, string> headers = null) where T : Schema.Schema
            => Task.FromResult(new Room<T>());
    }

    public class Room<T> where T : Schema.Schema
    {
        public string RoomId;
        public string SessionId;
        public T State => default(T);
        public event CloseWithCodeEventHandler OnLeave;
        public event CloseWithCodeEventHandler OnDrop;
        public event NoArgsEventHandler OnReconnect;
        public event ErrorEventHandler OnError;
        public void OnMessage<M>(string type, Action<M> handler) { }
        public Task Send(string type, object message) => Task.CompletedTask;
        public Task Leave(bool consented = true) => Task.CompletedTask;
    }
}
