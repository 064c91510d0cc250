/** An example of a game's own action: `GAME_ACTIONS_DIR=examples/game-actions npm start`. */
import { z } from "zod";
import { defineAction } from "../../src/actions/define-action.ts";

export default defineAction({
  id: "salute",
  description: "Salute the player, as a sign of respect.",
  params: z.object({ style: z.enum(["crisp", "lazy"]).default("crisp") }),
  run: ({ user_id, by, params, events }) => {
    events.emit({ event_type: "saluted", payload: { by: by === "character" ? "character" : user_id, to: by === "character" ? user_id : "character", style: params.style } });
    return { ok: true, heard: "salutes", result: { ok: true } };
  },
});
