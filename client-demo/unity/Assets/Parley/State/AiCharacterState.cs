// 
// THIS FILE HAS BEEN GENERATED AUTOMATICALLY
// DO NOT CHANGE IT MANUALLY UNLESS YOU KNOW WHAT YOU'RE DOING
// 
// GENERATED USING @colyseus/schema 5.0.34
// 

namespace Parley.State {
	public partial class AiCharacterState : global::Colyseus.Schema.Schema {
#if UNITY_5_3_OR_NEWER
		[global::UnityEngine.Scripting.Preserve]
#endif
		public AiCharacterState() { }

		[global::Colyseus.Schema.Type(0, "string")]
		public string session_id = default(string);

		[global::Colyseus.Schema.Type(1, "ref", typeof(CharacterState))]
		public CharacterState character = null;

		[global::Colyseus.Schema.Type(2, "map", typeof(global::Colyseus.Schema.MapSchema<PlayerState>))]
		public global::Colyseus.Schema.MapSchema<PlayerState> players = new global::Colyseus.Schema.MapSchema<PlayerState>();

		[global::Colyseus.Schema.Type(3, "map", typeof(global::Colyseus.Schema.MapSchema<ItemState>))]
		public global::Colyseus.Schema.MapSchema<ItemState> items = new global::Colyseus.Schema.MapSchema<ItemState>();

		[global::Colyseus.Schema.Type(4, "array", typeof(global::Colyseus.Schema.ArraySchema<QueuedChatState>))]
		public global::Colyseus.Schema.ArraySchema<QueuedChatState> queue = new global::Colyseus.Schema.ArraySchema<QueuedChatState>();
	}
}
