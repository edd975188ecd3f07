// Test helper (specs only): jsdom has <dialog> but not showModal(); call this in `beforeAll` of a spec
// that mounts a modal.
export function stubShowModal(): void {
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true
  }
}
