// Streams from the emulator with the openai npm package (tests/js/node_modules) and prints what
// it saw as one JSON line. Usage: node stream.mjs OPENAI_INDEX_MJS ENDPOINT KEY
const [, , openaiIndex, endpoint, key] = process.argv;
const { AzureOpenAI, default: OpenAI } = await import(openaiIndex);

const azure = new AzureOpenAI({ endpoint, apiKey: key, apiVersion: "2024-10-21", maxRetries: 0 });
const chat = await azure.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Hello!" }],
  stream: true,
  stream_options: { include_usage: true },
});
let text = "";
let emptyChoices = 0;
let usage = null;
for await (const chunk of chat) {
  if (chunk.choices.length === 0) emptyChoices += 1;
  for (const choice of chunk.choices) text += choice.delta?.content ?? "";
  if (chunk.usage) usage = chunk.usage;
}

const v1 = new OpenAI({ baseURL: `${endpoint}openai/v1/`, apiKey: key, maxRetries: 0 });
const events = [];
let deltas = "";
let completed = null;
const responses = await v1.responses.create({ model: "gpt-5.1", input: "Hello!", stream: true });
for await (const event of responses) {
  events.push(event.type);
  if (event.type === "response.output_text.delta") deltas += event.delta;
  if (event.type === "response.completed") completed = event.response;
}
console.log(
  JSON.stringify({
    text,
    emptyChoices,
    usage,
    events,
    deltas,
    outputText: completed?.output_text ?? completed?.output?.at(-1)?.content?.[0]?.text ?? null,
    reasoningTokens: completed?.usage?.output_tokens_details?.reasoning_tokens ?? null,
  }),
);
