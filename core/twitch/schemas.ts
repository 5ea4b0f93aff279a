import { z } from 'zod';

/** Helix and OAuth response shapes, validated at the boundary (unknown fields are ignored). */
export const AppTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().nonnegative(),
  token_type: z.string().optional(),
});

export const HelixStreamSchema = z.object({
  id: z.string().min(1),
  user_id: z.string().min(1),
  user_login: z
    .string()
    .min(1)
    .transform((login) => login.toLowerCase()),
  user_name: z.string().optional(),
  game_id: z
    .string()
    .nullish()
    .transform((v) => (v ? v : null)),
  game_name: z
    .string()
    .nullish()
    .transform((v) => (v ? v : null)),
  type: z.string().optional(),
  title: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  viewer_count: z.number().int().nonnegative(),
  started_at: z.string(),
  language: z
    .string()
    .nullish()
    .transform((v) => (v ? v : null)),
  tags: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  is_mature: z
    .boolean()
    .nullish()
    .transform((v) => v ?? false),
});
export type HelixStream = z.infer<typeof HelixStreamSchema>;

const PaginationSchema = z
  .object({ cursor: z.string().optional() })
  .nullish()
  .transform((p) => ({ cursor: p?.cursor ? p.cursor : undefined }));

export const HelixStreamsPageSchema = z.object({
  data: z.array(HelixStreamSchema),
  pagination: PaginationSchema,
});

export const HelixUserSchema = z.object({
  id: z.string().min(1),
  login: z
    .string()
    .min(1)
    .transform((login) => login.toLowerCase()),
});
export type HelixUser = z.infer<typeof HelixUserSchema>;

export const HelixUsersPageSchema = z.object({ data: z.array(HelixUserSchema) });
