/** Protocol lines exactly as tmi.twitch.tv writes them. */
export const ircReplies = {
  capAck: (caps: string) => `:tmi.twitch.tv CAP * ACK :${caps}`,
  capNak: (caps: string) => `:tmi.twitch.tv CAP * NAK :${caps}`,
  capLs: () => ':tmi.twitch.tv CAP * LS :twitch.tv/membership twitch.tv/tags twitch.tv/commands',
  welcome: (nick: string) => [
    `:tmi.twitch.tv 001 ${nick} :Welcome, GLHF!`,
    `:tmi.twitch.tv 002 ${nick} :Your host is tmi.twitch.tv`,
    `:tmi.twitch.tv 003 ${nick} :This server is rather new`,
    `:tmi.twitch.tv 004 ${nick} :-`,
    `:tmi.twitch.tv 375 ${nick} :-`,
    `:tmi.twitch.tv 372 ${nick} :You are in a maze of twisty passages, all alike.`,
    `:tmi.twitch.tv 376 ${nick} :>`,
  ],
  globalUserState: (nick: string, userId: string) =>
    `@badge-info=;badges=;color=;display-name=${nick};emote-sets=0;user-id=${userId};user-type= :tmi.twitch.tv GLOBALUSERSTATE`,
  userState: (nick: string, channel: string) =>
    `@badge-info=;badges=;color=;display-name=${nick};emote-sets=0;mod=0;subscriber=0;user-type= :tmi.twitch.tv USERSTATE #${channel}`,
  join: (nick: string, channel: string) => `:${nick}!${nick}@${nick}.tmi.twitch.tv JOIN #${channel}`,
  part: (nick: string, channel: string) => `:${nick}!${nick}@${nick}.tmi.twitch.tv PART #${channel}`,
  names: (nick: string, channel: string) => [
    `:${nick}.tmi.twitch.tv 353 ${nick} = #${channel} :${nick}`,
    `:${nick}.tmi.twitch.tv 366 ${nick} #${channel} :End of /NAMES list`,
  ],
  channelSuspended: (channel: string) =>
    `@msg-id=msg_channel_suspended :tmi.twitch.tv NOTICE #${channel} :This channel does not exist or has been suspended.`,
  channelBanned: (channel: string) =>
    `@msg-id=msg_banned :tmi.twitch.tv NOTICE #${channel} :You are permanently banned from talking in ${channel}.`,
  improperAuth: () => ':tmi.twitch.tv NOTICE * :Improperly formatted auth',
  loginFailed: () => ':tmi.twitch.tv NOTICE * :Login authentication failed',
  unknownCommand: (nick: string, command: string) => `:tmi.twitch.tv 421 ${nick} ${command} :Unknown command`,
  ping: () => 'PING :tmi.twitch.tv',
  pong: (token: string | undefined) => (token === undefined ? 'PONG :tmi.twitch.tv' : `:tmi.twitch.tv PONG tmi.twitch.tv :${token}`),
  reconnect: () => ':tmi.twitch.tv RECONNECT',
} as const;
