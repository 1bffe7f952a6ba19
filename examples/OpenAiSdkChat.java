import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

/**
 * A sandbox's view of the gateway: the official OpenAI Java SDK, unmodified, pointed at Gatehouse
 * with the two variables a sandbox pod gets. Run with examples/openai-sdk.sh.
 */
public class OpenAiSdkChat {
    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "qwen3";
        String prompt = args.length > 1 ? args[1] : "Say hello.";
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(System.getenv("LLM_GATEWAY_URL"))   // e.g. http://127.0.0.1:8080/v1
                .apiKey(System.getenv("LLM_GATEWAY_TOKEN"))  // the sandbox token
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model).addUserMessage(prompt).build();

        ChatCompletion completion = client.chat().completions().create(params);
        System.out.println("whole:  " + completion.choices().get(0).message().content().orElse(""));

        System.out.print("stream: ");
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices()
                    .forEach(choice -> choice.delta().content().ifPresent(System.out::print)));
        }
        System.out.println();
    }
}
