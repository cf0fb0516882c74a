"""The Gemini seam: a small model interface, its google-genai implementation, prompts and a local fake."""
