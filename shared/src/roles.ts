import { z } from 'zod';

export const ROLES = ['participant', 'moderator', 'sponsor', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
