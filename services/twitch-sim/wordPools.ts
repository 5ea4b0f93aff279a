/** Word, emote and phrase pools the traffic generator draws from (precomputed once). */

/** Twitch global emotes with their real ids: emote tags carry these positions. */
export const TWITCH_EMOTES: ReadonlyArray<readonly [id: string, name: string]> = [
  ['25', 'Kappa'], ['1902', 'Keepo'], ['305954156', 'PogChamp'], ['425618', 'LUL'], ['86', 'BibleThump'],
  ['41', 'Kreygasm'], ['354', '4Head'], ['245', 'ResidentSleeper'], ['58765', 'NotLikeThis'], ['64138', 'SeemsGood'],
  ['30259', 'HeyGuys'], ['123171', 'CoolStoryBob'], ['33', 'DansGame'], ['28087', 'WutFace'], ['360', 'FailFish'],
  ['81274', 'VoHiYo'], ['196892', 'TwitchUnity'], ['483', '<3'], ['1', ':)'], ['2', ':('], ['12', ':P'], ['11', ';)'],
  ['555555584', '<3'], ['22639', 'BabyRage'], ['88', 'PogChamp'], ['81248', 'OSFrog'], ['1035663', 'xqcL'],
  ['emotesv2_dcd06b30a5c24f6eb871e8f5edbd44f7', 'DinoDance'], ['62835', 'bleedPurple'], ['166263', 'LUL'],
];

/** Third-party (BTTV/FFZ/7TV) emote words: plain text for Twitch, no emote tag. */
export const THIRD_PARTY_EMOTES = [
  'OMEGALUL', 'KEKW', 'monkaS', 'Pog', 'PepeLaugh', 'xdd', 'Sadge', 'peepoHappy', 'catJAM', 'COPIUM',
  'Clueless', 'ICANT', 'Aware', 'forsenE', 'pajaH', 'NaM', 'LULE', 'WAYTOODANK', 'PauseChamp', 'EZ',
];

export const WORDS = [
  'gg', 'wp', 'lol', 'what', 'no', 'yes', 'chat', 'is', 'this', 'real', 'bro', 'clip', 'it', 'that', 'the',
  'boss', 'fight', 'run', 'again', 'how', 'did', 'he', 'miss', 'insane', 'play', 'nice', 'one', 'first', 'time',
  'here', 'love', 'stream', 'song', 'name', 'pls', 'when', 'next', 'game', 'W', 'L', 'ratio', 'based', 'true',
  'hello', 'hi', 'everyone', 'mods', 'ban', 'him', 'so', 'good', 'today', 'can', 'we', 'get', 'a', 'in', 'for',
  'streamer', 'wake', 'up', 'hydrate', 'posture', 'check', 'backseat', 'dont', 'go', 'left', 'right', '1', '2',
  'xD', 'omg', 'wtf', 'lmao', 'widepeepoHappy', 'hype', 'train', 'lets', 'goooo', '!drop', '!uptime', '!song',
];

/** Non-ASCII words and phrases seen in real chat: Cyrillic, CJK, Hangul, Arabic, accents. */
export const UNICODE_WORDS = [
  'привет', 'ахахах', 'круто', 'こんにちは', 'すごい', 'ｗｗｗ', '草', '안녕하세요', 'ㅋㅋㅋㅋ', '대박', 'مرحبا',
  'olá', 'ñandú', 'größte', 'Ümlaut', 'ça', 'va', 'más', 'já', 'não', 'Я', 'не', 'такой', 'Då', 'förtal',
  'ʕ•ᴥ•ʔ', '¯\\_(ツ)_/¯', '( ͡° ͜ʖ ͡°)', 'ඞ',
];

/** Emoji including multi-code-point sequences (variation selectors, skin tones, ZWJ families). */
export const EMOJI = ['😂', '🔥', '👉', '❤️', '🫣', '👀', '💀', '😭', '🙏', '👍🏽', '👨‍👩‍👧', '🏳️‍🌈', '🤣', '🥶', '🤡', '✨'];

export const CHEERMOTES = ['Cheer', 'cheerwhal', 'Corgo', 'uni', 'ShowLove', 'Party', 'SeemsGood', 'Kappa', 'FrankerZ', 'HeyGuys', 'Kreygasm', 'BibleThump', 'PJSalt', 'MrDestructoid', 'bday', 'RIPCheer', 'Shamrock'];

export const NAME_PARTS_A = ['dark', 'xx', 'the', 'mr', 'lil', 'big', 'its', 'real', 'not', 'pro', 'epic', 'silent', 'happy', 'shadow', 'pixel', 'cozy', 'tiny', 'mega', 'night', 'frost'];
export const NAME_PARTS_B = ['gamer', 'wolf', 'cat', 'ninja', 'dragon', 'potato', 'knight', 'panda', 'fox', 'ghost', 'viper', 'toast', 'noodle', 'bean', 'raven', 'tiger', 'moose', 'otter', 'falcon', 'muffin'];
export const NAME_SUFFIXES = ['', '', '_', '_tv', 'ttv', '__', '_x'];

export const COLORS = ['', '', '#FF0000', '#0000FF', '#008000', '#B22222', '#FF7F50', '#9ACD32', '#FF4500', '#2E8B57', '#DAA520', '#D2691E', '#5F9EA0', '#1E90FF', '#FF69B4', '#8A2BE2', '#00FF7F', '#19E6E6', '#0D4200'];

export const GAMES: ReadonlyArray<readonly [id: string, name: string]> = [
  ['509658', 'Just Chatting'], ['21779', 'League of Legends'], ['32982', 'Grand Theft Auto V'], ['32399', 'Counter-Strike'],
  ['516575', 'VALORANT'], ['33214', 'Fortnite'], ['27471', 'Minecraft'], ['29595', 'Dota 2'], ['18122', 'World of Warcraft'],
  ['511224', 'Apex Legends'], ['26936', 'Music'], ['509660', 'Art'], ['491931', 'Escape from Tarkov'], ['512710', 'Call of Duty: Warzone'],
  ['490100', 'Lost Ark'], ['518203', 'Sports'], ['509663', 'Special Events'], ['417752', 'Talk Shows & Podcasts'],
];

export const LANGUAGES: ReadonlyArray<readonly [code: string, tag: string]> = [
  ['en', 'English'], ['en', 'English'], ['en', 'English'], ['es', 'Español'], ['pt', 'Português'], ['de', 'Deutsch'],
  ['fr', 'Français'], ['ru', 'Русский'], ['ja', '日本語'], ['ko', '한국어'], ['zh', '中文'], ['it', 'Italiano'], ['pl', 'Polski'], ['tr', 'Türkçe'],
];

export const TITLES = [
  'GRINDING RANKED until I hit Diamond | !socials', 'chill stream :) come hang', '24H SUBATHON DAY 3 🔥',
  'first playthrough - NO SPOILERS', 'react andy', 'drops enabled !drops', 'ＴＨＥ ＢＩＧ ＯＮＥ', 'speedrun attempts (wr pace?)',
  'late night vibes 🌙 | !discord', 'Turnier Finale!! | deutsch', 'partidas con subs ✨', 'ранкед с подписчиками',
];
