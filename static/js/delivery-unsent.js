// 提供票の未送付: a "すべて" checkbox per provider selects that provider's rows.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectGroup) return;
  for (const item of document.querySelectorAll(`input[data-group="${box.dataset.selectGroup}"]`)) {
    item.checked = box.checked;
  }
});
