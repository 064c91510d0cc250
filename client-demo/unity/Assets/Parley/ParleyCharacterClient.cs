// A sample MonoBehaviour: joins a Parley character room with the Colyseus Unity SDK, shows the
// streamed reply in seq order, follows players and items from the synchronised state, and resumes
// a reply after the SDK reconnects.
using System;
using System.Collections.Generic;
using System.Text;
using Colyseus;
using Colyseus.Schema;
using Parley.Protocol;
using Parley.State;
using UnityEngine;

public class ParleyCharacterClient : MonoBehaviour
{
    public string endpoint = "ws://localhost:2567";
    /// <summary>A player token: from POST /auth/dev-token in local play, from your game's backend otherwise.</summary>
    public string token;
    public string characterId = "1";
    /// <summary>Players who join with the same session id share the conversation.</summary>
    public string sessionId;

    private Room<AiCharacterState> room;
    private string replyId;
    private int shownSeq;
    private readonly SortedDictionary<int, string> early = new SortedDictionary<int, string>();
    private readonly StringBuilder bubble = new StringBuilder();

    /// <summary>The reply as the bubble shows it.</summary>
    public string BubbleText => bubble.ToString();

    private async void Start()
    {
        var client = new Client(endpoint);
        client.Http.AuthToken = token;
        try
        {
            room = await client.JoinOrCreate<AiCharacterState>(Rooms.Name,
                new JoinOptions { character_id = characterId, session_id = sessionId }.ToDictionary());
        }
        catch (Exception e)
        {
            Debug.LogError($"Could not join the character room: {e.Message}");
            return;
        }

        room.OnMessage<AiStatusMessage>(ServerMessageType.AiStatus, OnStatus);
        room.OnMessage<AiChunkMessage>(ServerMessageType.AiChunk, OnChunk);
        room.OnMessage<AiEndMessage>(ServerMessageType.AiEnd, m => Debug.Log($"[{m.reason}] {m.full_content}"));
        room.OnMessage<AiRetractMessage>(ServerMessageType.AiRetract, m => { if (m.reply_id == replyId) bubble.Clear(); });
        room.OnMessage<GameEventMessage>(ServerMessageType.GameEvent, m => Debug.Log($"{m.event_type}: {m.payload["name"]}"));
        room.OnMessage<ErrorMessage>(ServerMessageType.Error, m => Debug.LogWarning($"{m.code}: {m.message}"));

        // Ask for what was missed while the socket was down: the bubble goes on with no gap or repeat.
        room.OnReconnect += () =>
        {
            if (replyId != null && !replyId.StartsWith("greeting-"))
                _ = room.Send(ClientMessageType.Resume, new ResumeMessage { reply_id = replyId, last_seq = shownSeq });
        };
        room.OnLeave += code => Debug.Log($"Left the room ({code})");

        var callbacks = Callbacks.Get(room);
        callbacks.OnAdd(state => state.players, (key, player) => Debug.Log($"{player.user_id} joined"));
        callbacks.OnRemove(state => state.players, (key, player) => Debug.Log($"{player.user_id} left"));
        callbacks.OnAdd(state => state.items, (id, item) => Debug.Log($"item {item.name}: {item.description}"));
        callbacks.Listen(state => state.character, (character, _) =>
            callbacks.Listen(character, c => c.mood, (mood, previous) => Debug.Log($"{character.name} is {mood}")));
    }

    private void OnStatus(AiStatusMessage m)
    {
        if (m.status == AiStatus.Thinking && m.reply_id != null) Follow(m.reply_id);
    }

    private void OnChunk(AiChunkMessage m)
    {
        if (m.reply_id != replyId) Follow(m.reply_id);
        if (m.seq <= shownSeq || early.ContainsKey(m.seq)) return;
        early[m.seq] = m.content;
        while (early.TryGetValue(shownSeq + 1, out var next))
        {
            early.Remove(shownSeq + 1);
            bubble.Append(next);
            shownSeq++;
        }
    }

    private void Follow(string id)
    {
        replyId = id;
        shownSeq = 0;
        early.Clear();
        bubble.Clear();
    }

    public void Say(string text) => _ = room?.Send(ClientMessageType.Chat, new ChatMessage { content = text });

    public void Inspect(string itemId) =>
        _ = room?.Send(ClientMessageType.Action, new ActionMessage { action_id = "inspect_item", target_id = itemId });

    public void StopReply() => _ = room?.Send(ClientMessageType.Stop, new StopMessage());
}
