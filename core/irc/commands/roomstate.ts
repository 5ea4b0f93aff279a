import { ChatEventKind } from '../../events/chatEvent.ts';
import { baseEvent, channelParam } from '../baseEvent.ts';
import type { Normalizer } from '../types.ts';

/** ROOMSTATE → `roomstate`: chat settings (slow, followers-only, emote-only, …) live in tags. */
export const roomstate: Normalizer = (message, receivedAt) =>
  baseEvent(message, ChatEventKind.RoomState, channelParam(message), receivedAt);
