/** The side-by-side page of the two PL061 drivers, as Markdown, computed from the sources. */
export function render(): string;
