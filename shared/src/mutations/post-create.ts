/**
 * What idea.create and comment.create share on the device: the post shows at once as "waiting to
 * send"; once the server has it, it becomes the person's own post under its public id (shown as
 * "awaiting release" until the next batch); if refused, its text goes back to drafts with the reason.
 */
import { toCoarseHour } from '../ids.js';
import { SCHEMA_VERSION } from '../protocol.js';
import type { DeviceStore, LocalPost, Rejection } from '../device.js';

export async function acceptLocalPost(
  store: DeviceStore,
  post: LocalPost,
  contentId: string | undefined,
): Promise<void> {
  await store.localPosts.delete(post.mutationId);
  if (!contentId) return;
  const base = {
    schemaVersion: SCHEMA_VERSION,
    id: contentId,
    conversationId: post.conversationId,
    body: post.body,
    createdHour: toCoarseHour(new Date(store.now())),
    status: 'visible' as const,
    isAwaitingRelease: true,
  };
  if (post.kind === 'idea') {
    await store.ownPosts.put({ contentId, kind: 'idea', conversationId: post.conversationId });
    if (!(await store.ideas.get(contentId)))
      await store.ideas.put({
        ...base,
        _id: `idea:${contentId}`,
        type: 'idea',
        streamId: post.streamId,
        title: post.title,
      });
  } else {
    await store.ownPosts.put({
      contentId,
      kind: 'comment',
      conversationId: post.conversationId,
      ideaId: post.ideaId,
    });
    if (!(await store.comments.get(contentId)))
      await store.comments.put({
        ...base,
        _id: `comment:${contentId}`,
        type: 'comment',
        ideaId: post.ideaId,
      });
  }
}

/** The refused post's text becomes a draft on this device, with the reason shown beside it. */
export async function returnPostToDrafts(
  store: DeviceStore,
  post: LocalPost,
  rejection: Rejection,
): Promise<void> {
  await store.localPosts.delete(post.mutationId);
  await store.drafts.put({
    id: `rejected:${post.mutationId}`,
    kind: post.kind,
    conversationId: post.conversationId,
    ...(post.kind === 'idea' ? { streamId: post.streamId, title: post.title } : { ideaId: post.ideaId }),
    body: post.body,
    updatedAt: store.now(),
    rejection,
  });
}
