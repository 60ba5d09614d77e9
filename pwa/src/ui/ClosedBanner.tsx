/** Says plainly that a closed conversation is read-only, wherever posting or voting would otherwise be. */
export function ClosedBanner() {
  return (
    <div
      className="notice notice--closed"
      role="region"
      aria-label="Conversation closed"
      data-testid="closed-banner"
    >
      <p>
        <strong>This conversation has closed.</strong> You can still read everything, but no new ideas,
        comments or votes can be added. Anything you had not sent before it closed is kept in your drafts.
      </p>
    </div>
  );
}
