/**
 * A form's send button that is never silently dead: while a text is over its limit the button says
 * it is unavailable (aria-disabled, still focusable) and points at the reason written above it; while
 * the action runs it is disabled and busy, so a second tap does nothing.
 */
export function SubmitButton({
  label,
  blockedId,
  blockedMessage,
  isSubmitting,
}: {
  label: string;
  /** id of the reason shown while the form cannot be sent. */
  blockedId: string;
  blockedMessage: string | null;
  isSubmitting: boolean;
}) {
  return (
    <>
      {blockedMessage && (
        <p id={blockedId} className="error-message submit-blocked">
          <span aria-hidden="true">⚠ </span>
          {blockedMessage}
        </p>
      )}
      <button
        type="submit"
        className="button"
        disabled={isSubmitting}
        aria-busy={isSubmitting || undefined}
        aria-disabled={blockedMessage ? true : undefined}
        aria-describedby={blockedMessage ? blockedId : undefined}
      >
        {label}
      </button>
    </>
  );
}
