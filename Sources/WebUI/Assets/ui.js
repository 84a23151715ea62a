// Copy buttons for the backend blocks, where the browser allows it (HTTPS or localhost);
// everything else works without JavaScript.
if (navigator.clipboard) {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      navigator.clipboard.writeText(text).then(
        () => { button.textContent = "Copied"; },
        () => { button.textContent = "Select the text to copy it"; });
    });
  });
}
