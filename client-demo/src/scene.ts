/**
 * The room as a Phaser scene: the character, a bubble that types its reply, the items on the rack
 * and one avatar per player. Everything but the bubble is drawn from the synchronised room state.
 */
import Phaser from "phaser";
import { Callbacks, type Room } from "@colyseus/sdk";
import type { AiCharacterState, ItemState, PlayerState } from "../../src/state/room-state.ts";
import type { ReplyView } from "./reply-stream.ts";

export const WIDTH = 800;
export const HEIGHT = 460;

const CHARACTER_X = 400;
const CHARACTER_Y = 250;
const FLOOR_Y = 400;
const RACK_X = 640;
const MOOD_COLOURS: Record<string, number> = { stern: 0x8a3b2e, pleased: 0x3c8a2e, angry: 0xc0392b };

/** What the scene needs from the rest of the page, beyond the room. */
export interface SceneModel {
  room: Room<AiCharacterState>;
  /** The reply the bubble shows, and a note on how it ended (stopped, withdrawn...). */
  bubble(): { view: ReplyView | undefined; note: string };
  /** The character's activity as shown under its name. */
  statusLine(): string;
  /** The last item inspected, as the game event described it. */
  inspected(): string;
  inspect(itemId: string): void;
}

export class DemoScene extends Phaser.Scene {
  readonly #model: SceneModel;
  #bubbleBox!: Phaser.GameObjects.Graphics;
  #bubbleText!: Phaser.GameObjects.Text;
  #bubbleNote!: Phaser.GameObjects.Text;
  #nameText!: Phaser.GameObjects.Text;
  #statusText!: Phaser.GameObjects.Text;
  #inspectText!: Phaser.GameObjects.Text;
  #body!: Phaser.GameObjects.Rectangle;
  readonly #avatars = new Map<string, Phaser.GameObjects.Container>();
  readonly #items = new Map<string, { shape: Phaser.GameObjects.Shape; label: Phaser.GameObjects.Text; destroy(): void }>();
  #drawnBubble = "";

  constructor(model: SceneModel) {
    super({ key: "room" });
    this.#model = model;
  }

  create() {
    this.add.rectangle(WIDTH / 2, FLOOR_Y + 30, WIDTH, 60, 0x4a3b2a);
    this.add.rectangle(RACK_X + 40, 300, 150, 12, 0x6b4f2a);
    this.add.text(RACK_X + 40, 320, "weapon rack: click an item", { fontSize: "12px", color: "#d8c8a8" }).setOrigin(0.5, 0);

    this.#body = this.add.rectangle(CHARACTER_X, CHARACTER_Y + 40, 60, 110, MOOD_COLOURS.stern);
    this.add.circle(CHARACTER_X, CHARACTER_Y - 40, 28, 0xf0c8a0);
    this.#nameText = this.add.text(CHARACTER_X, CHARACTER_Y + 100, "", { fontSize: "16px", color: "#ffffff", fontStyle: "bold" }).setOrigin(0.5, 0);
    this.#statusText = this.add.text(CHARACTER_X, CHARACTER_Y + 122, "", { fontSize: "13px", color: "#ffe08a" }).setOrigin(0.5, 0);

    this.#bubbleBox = this.add.graphics();
    this.#bubbleText = this.add.text(CHARACTER_X, 20, "", {
      fontFamily: "system-ui, sans-serif", fontSize: "16px", color: "#1b1b1b", wordWrap: { width: 440, useAdvancedWrap: true }, align: "left",
    }).setOrigin(0.5, 0);
    this.#bubbleNote = this.add.text(CHARACTER_X, 0, "", { fontSize: "12px", color: "#ffb0a0", fontStyle: "italic" }).setOrigin(0.5, 0);
    this.#inspectText = this.add.text(RACK_X + 40, 345, "", { fontSize: "13px", color: "#ffffff", align: "center", wordWrap: { width: 150 } }).setOrigin(0.5, 0);

    const callbacks = Callbacks.get(this.#model.room);
    callbacks.onAdd("players", (player, sessionId) => this.#addAvatar(player, sessionId));
    callbacks.onRemove("players", (_player, sessionId) => {
      this.#avatars.get(sessionId)?.destroy();
      this.#avatars.delete(sessionId);
      this.#layoutAvatars();
    });
    callbacks.onAdd("items", (item, id) => this.#addItem(item, id));
    callbacks.onRemove("items", (_item, id) => {
      this.#items.get(id)?.destroy();
      this.#items.delete(id);
    });
  }

  update() {
    const { character } = this.#model.room.state;
    if (character) {
      this.#nameText.setText(`${character.name} (${character.mood})`);
      this.#body.setFillStyle(MOOD_COLOURS[character.mood] ?? 0x555577);
    }
    this.#statusText.setText(this.#model.statusLine());
    this.#inspectText.setText(this.#model.inspected());
    const { view, note } = this.#model.bubble();
    const text = view?.text ?? "";
    if (text + note !== this.#drawnBubble) this.#drawBubble(text, note);
  }

  /** The text the bubble shows now, exactly as drawn. */
  bubbleText(): string {
    return this.#bubbleText.text;
  }

  /** Where an item is on the page, for a click. */
  itemPoint(id: string): { x: number; y: number } | undefined {
    const item = this.#items.get(id);
    if (!item) return undefined;
    const canvas = this.game.canvas.getBoundingClientRect();
    const scale = canvas.width / WIDTH;
    return { x: canvas.left + item.shape.x * scale, y: canvas.top + item.shape.y * scale };
  }

  /** The user ids of the avatars drawn, in order. */
  avatarNames(): string[] {
    return [...this.#avatars.values()].map((a) => (a.getAt(1) as Phaser.GameObjects.Text).text);
  }

  #drawBubble(text: string, note: string) {
    this.#drawnBubble = text + note;
    this.#bubbleText.setText(text);
    this.#bubbleBox.clear();
    this.#bubbleNote.setText(note);
    if (!text && !note) return;
    const bounds = this.#bubbleText.getBounds();
    const height = Math.max(bounds.height, 18);
    const width = Math.max(bounds.width, 60);
    this.#bubbleBox.fillStyle(0xfffbea, 1);
    this.#bubbleBox.fillRoundedRect(CHARACTER_X - width / 2 - 12, 10, width + 24, height + 20, 12);
    this.#bubbleBox.fillTriangle(CHARACTER_X - 10, 30 + height, CHARACTER_X + 10, 30 + height, CHARACTER_X, 44 + height);
    this.#bubbleNote.setY(48 + height);
  }

  #addAvatar(player: PlayerState, sessionId: string) {
    const mine = sessionId === this.#model.room.sessionId;
    const dot = this.add.circle(0, 0, 16, mine ? 0x4aa3ff : 0x9aa5b1).setStrokeStyle(2, 0xffffff);
    const label = this.add.text(0, 22, player.user_id, { fontSize: "12px", color: mine ? "#9fd0ff" : "#e0e0e0" }).setOrigin(0.5, 0);
    this.#avatars.set(sessionId, this.add.container(0, FLOOR_Y, [dot, label]));
    this.#layoutAvatars();
  }

  #layoutAvatars() {
    [...this.#avatars.values()].forEach((avatar, i) => avatar.setPosition(80 + i * 90, FLOOR_Y));
  }

  #addItem(item: ItemState, id: string) {
    const x = RACK_X + this.#items.size * 80;
    const shape = id.startsWith("sword")
      ? this.add.rectangle(x, 250, 12, 90, 0xd8dde6).setStrokeStyle(2, 0x8a6d3b)
      : this.add.circle(x, 260, 26, 0x8b5a2b).setStrokeStyle(4, 0x777777);
    const label = this.add.text(x, 302 - 20, item.name, { fontSize: "12px", color: "#ffffff", backgroundColor: "#00000088" }).setOrigin(0.5, 0);
    for (const target of [shape, label]) {
      target.setInteractive({ useHandCursor: true });
      target.on("pointerdown", () => this.#model.inspect(id));
    }
    this.#items.set(id, { shape, label, destroy: () => { shape.destroy(); label.destroy(); } });
  }
}
