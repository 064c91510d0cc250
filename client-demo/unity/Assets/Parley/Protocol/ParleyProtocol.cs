// Parley's wire protocol for C# clients: one class per message of src/protocol/messages.ts, with the
// same field names (the SDK (de)serialises public fields by name). Checked against that file by
// client-demo/unity.test.ts.
using System.Collections.Generic;

namespace Parley.Protocol
{
    public static class Rooms
    {
        /// <summary>The name under which the character room is registered.</summary>
        public const string Name = "ai_character";
    }

    /// <summary>Client message names.</summary>
    public static class ClientMessageType
    {
        public const string Chat = "chat";
        public const string Action = "action";
        public const string Stop = "stop";
        public const string Resume = "resume";
        public const string Cancel = "cancel";
    }

    /// <summary>Server message names.</summary>
    public static class ServerMessageType
    {
        public const string AiStatus = "ai_status";
        public const string AiChunk = "ai_chunk";
        public const string AiEnd = "ai_end";
        public const string AiRetract = "ai_retract";
        public const string GameEvent = "game_event";
        public const string Error = "error";
    }

    // ------------------------------------------------------------ client -> server

    /// <summary>Join options: the character, and a session id to share one conversation (omit for a private one).</summary>
    public class JoinOptions
    {
        public string character_id;
        public string session_id;

        public Dictionary<string, object> ToDictionary()
        {
            var options = new Dictionary<string, object> { { "character_id", character_id } };
            if (!string.IsNullOrEmpty(session_id)) options.Add("session_id", session_id);
            return options;
        }
    }

    /// <summary>What the player says (1..2000 characters by default).</summary>
    public class ChatMessage
    {
        public string content;
        /// <summary>The client's clock when sent, informational.</summary>
        public double timestamp;
    }

    /// <summary>A game command, e.g. inspect_item on sword_001.</summary>
    public class ActionMessage
    {
        public string action_id;
        public string target_id;
        public Dictionary<string, object> @params;
    }

    /// <summary>End the reply streaming now.</summary>
    public class StopMessage { }

    /// <summary>After a reconnection: send what was missed of reply_id after chunk last_seq.</summary>
    public class ResumeMessage
    {
        public string reply_id;
        public int last_seq;
    }

    /// <summary>Withdraw a chat of mine still waiting in the queue.</summary>
    public class CancelMessage
    {
        public string reply_id;
    }

    // ------------------------------------------------------------ server -> client

    /// <summary>What the character is doing.</summary>
    public static class AiStatus
    {
        public const string Thinking = "thinking";
        public const string SearchingMemory = "searching_memory";
        public const string Streaming = "streaming";
        public const string Queued = "queued";
        public const string Idle = "idle";
    }

    /// <summary>Why a reply ended.</summary>
    public static class EndReason
    {
        public const string Complete = "complete";
        public const string Stopped = "stopped";
        public const string Moderated = "moderated";
        public const string Error = "error";
        public const string Shutdown = "shutdown";
    }

    public class AiStatusMessage
    {
        public string status;
        public string reply_id;
    }

    /// <summary>A piece of a reply: seq starts at 1 for each reply and rises by 1, no gaps.</summary>
    public class AiChunkMessage
    {
        public string content;
        public int seq;
        public string reply_id;
    }

    public class Usage
    {
        public int input_tokens;
        public int output_tokens;
        public int total_tokens;
    }

    /// <summary>The reply is over; full_content is the chunks joined in seq order.</summary>
    public class AiEndMessage
    {
        public string full_content;
        public string reply_id;
        public string reason;
        public Usage usage;
    }

    /// <summary>Withdraw everything shown of this reply.</summary>
    public class AiRetractMessage
    {
        public string reply_id;
        public string reason;
    }

    public class GameEventMessage
    {
        public string event_type;
        public Dictionary<string, object> payload;
        /// <summary>"character" when the character acted in a reply; null for a player's action.</summary>
        public string source;
        /// <summary>The reply in which the character acted.</summary>
        public string reply_id;
    }

    /// <summary>A request was refused; the player stays connected.</summary>
    public class ErrorMessage
    {
        public string code;
        public string message;
    }

    /// <summary>Stable error codes a client can act on.</summary>
    public static class ErrorCodes
    {
        public const string InvalidMessage = "message/invalid";
        public const string UnknownType = "message/unknown_type";
        public const string Busy = "busy";
        public const string UnknownAction = "action/unknown";
        public const string UnknownTarget = "action/unknown_target";
        public const string Refused = "action/refused";
        public const string ModelError = "model/error";
        public const string ModelOverloaded = "model/overloaded";
        public const string Moderated = "moderated";
        public const string RateLimited = "rate_limited";
        public const string UnknownReply = "resume/unknown_reply";
        public const string NotQueued = "cancel/not_queued";
        public const string ShuttingDown = "server/shutting_down";
        public const string Internal = "server/internal";
    }
}
