// MedQA chat page: sends the question to /ask/stream and renders the Server-Sent Events as they arrive.
"use strict";

const form = document.getElementById("ask-form");
const input = document.getElementById("question");
const send = document.getElementById("send");
const conversation = document.getElementById("conversation");
const statusBox = document.getElementById("status");
let conversationId = null;

const MESSAGES = {
  413: "That question is too long. Please shorten it.",
  422: "Please type a question of 1 to 2,000 characters.",
  429: "You are sending questions too quickly. Please wait a minute and try again.",
  503: "The service is busy or the model is unavailable right now. Please try again in a little while.",
  504: "The model took too long to answer. Please try again.",
};

function setStatus(text, isError) {
  statusBox.textContent = text;
  statusBox.className = isError ? "status error" : "status";
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function showGuidance(turn, triage, text) {
  const box = element("div", triage === "crisis" ? "guidance crisis" : "guidance");
  box.setAttribute("role", "alert");
  box.dataset.triage = triage;
  box.appendChild(element("h3", null, triage === "crisis" ? "You are not alone — get help now" : "This may be an emergency"));
  box.appendChild(element("p", null, text));
  turn.insertBefore(box, turn.querySelector(".answer"));
}

function* parseEvents(buffer) {
  // Yields [event, data] for each complete SSE block; the caller keeps the unfinished tail.
  for (const block of buffer) {
    let event = "message";
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) yield [event, data.join("\n")];
  }
}

async function ask(question) {
  const turn = element("li", "turn");
  turn.appendChild(element("p", "question", question));
  const answer = element("p", "answer");
  answer.setAttribute("aria-busy", "true");
  turn.appendChild(answer);
  conversation.appendChild(turn);
  setStatus("Answering…", false);

  let response;
  try {
    response = await fetch("/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ question, conversation_id: conversationId }),
    });
  } catch (err) {
    answer.removeAttribute("aria-busy");
    answer.textContent = "";
    setStatus("Cannot reach MedQA. Check your connection and try again.", true);
    return;
  }
  if (!response.ok) {
    answer.removeAttribute("aria-busy");
    turn.remove();
    setStatus(MESSAGES[response.status] || `Something went wrong (error ${response.status}). Please try again.`, true);
    return;
  }

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  let text = "";
  let guidance = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const blocks = pending.split(/\r?\n\r?\n/);
    pending = blocks.pop();
    for (const [event, data] of parseEvents(blocks)) {
      const payload = JSON.parse(data);
      if (event === "triage") {
        guidance = payload.guidance;
        showGuidance(turn, payload.triage, payload.guidance);
      } else if (event === "token") {
        text += payload.text;
        answer.textContent = text;
      } else if (event === "done") {
        conversationId = payload.conversation_id;
        const body = guidance && payload.answer.startsWith(guidance)
          ? payload.answer.slice(guidance.length).trim()
          : payload.answer;
        answer.textContent = body || "(The model did not answer; please follow the guidance above.)";
        answer.removeAttribute("aria-busy");
        setStatus("", false);
      } else if (event === "error") {
        answer.removeAttribute("aria-busy");
        setStatus(MESSAGES[payload.status] || payload.detail || "Something went wrong. Please try again.", true);
      }
    }
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (!question) {
    setStatus(MESSAGES[422], true);
    input.focus();
    return;
  }
  send.disabled = true;
  input.value = "";
  try {
    await ask(question);
  } finally {
    send.disabled = false;
    input.focus();
  }
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

document.getElementById("new-conversation").addEventListener("click", () => {
  conversationId = null;
  conversation.replaceChildren();
  setStatus("Started a new conversation.", false);
  input.focus();
});
