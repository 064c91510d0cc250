// 
// THIS FILE HAS BEEN GENERATED AUTOMATICALLY
// DO NOT CHANGE IT MANUALLY UNLESS YOU KNOW WHAT YOU'RE DOING
// 
// GENERATED USING @colyseus/schema 5.0.34
// 

namespace Parley.State {
	public partial class ItemState : global::Colyseus.Schema.Schema {
#if UNITY_5_3_OR_NEWER
		[global::UnityEngine.Scripting.Preserve]
#endif
		public ItemState() { }

		[global::Colyseus.Schema.Type(0, "string")]
		public string id = default(string);

		[global::Colyseus.Schema.Type(1, "string")]
		public string name = default(string);

		[global::Colyseus.Schema.Type(2, "string")]
		public string description = default(string);

		[global::Colyseus.Schema.Type(3, "string")]
		public string owner = "";
	}
}
