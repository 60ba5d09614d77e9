/** The conversation's guideline on identifying people, quoted by every warning (a tiny module the UI can load eagerly). */
export const IDENTIFYING_GUIDELINE =
  'Individuals should not be identified either by name or by describing their job role in such a way ' +
  'that others within the organisation can identify them from the description.';
