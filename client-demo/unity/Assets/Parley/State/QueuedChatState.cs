// 
// THIS FILE HAS BEEN GENERATED AUTOMATICALLY
// DO NOT CHANGE IT MANUALLY UNLESS YOU KNOW WHAT YOU'RE DOING
// 
// GENERATED USING @colyseus/schema 5.0.34
// 

namespace Parley.State {
	public partial class QueuedChatState : global::Colyseus.Schema.Schema {
#if UNITY_5_3_OR_NEWER
		[global::UnityEngine.Scripting.Preserve]
#endif
		public QueuedChatState() { }

		[global::Colyseus.Schema.Type(0, "string")]
		public string reply_id = default(string);

		[global::Colyseus.Schema.Type(1, "string")]
		public string user_id = default(string);
	}
}
