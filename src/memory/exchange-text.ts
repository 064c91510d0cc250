/**
 * The text of one exchange as memory keeps it. The memory written after a turn and the lookup
 * made after it (for the player's next chat) use this same text, so they share one embedding.
 */
export function exchangeText(playerSaid: string, characterAnswered: string): string {
  return characterAnswered
    ? `The player said: ${playerSaid}\nYou answered: ${characterAnswered}`
    : `The player said: ${playerSaid}`;
}
