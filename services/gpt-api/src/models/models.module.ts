import { Module } from '@nestjs/common';
import type { KubeConfig } from '@kubernetes/client-node';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { OllamaAdapter } from '../ollama/ollama.adapter';
import { OllamaModule } from '../ollama/ollama.module';
import { KubernetesModelsService, type KubernetesModelsOptions } from './kubernetes-models.service';
import { ModelCapabilities } from './model-capabilities';
import { ModelsController } from './models.controller';
import { InstalledModelsService, ModelsService } from './models.service';
import { OllamaModelWatch, type OllamaModelWatchOptions } from './ollama-model-watch';

/**
 * The ModelsService MODEL_CATALOG asks for. With `kubernetes`, it watches the OllamaModels
 * of MODEL_NAMESPACE through `kubeConfig`, by default the pod's service account (or
 * $KUBECONFIG); the watch starts with the Nest module (onModuleInit) and stops with it.
 */
export async function createModelsService(
  config: GptApiConfig,
  ollama: OllamaAdapter,
  kubernetes: { kubeConfig?: KubeConfig } & OllamaModelWatchOptions & KubernetesModelsOptions = {},
): Promise<ModelsService> {
  if (config.MODEL_CATALOG === 'ollama') return new InstalledModelsService(config, ollama);
  const namespace = config.MODEL_NAMESPACE;
  if (!namespace) throw new Error('MODEL_CATALOG=kubernetes needs MODEL_NAMESPACE');
  const { kubeConfig, ...options } = kubernetes;
  const watch = kubeConfig ? new OllamaModelWatch(kubeConfig, namespace, options) : await OllamaModelWatch.fromDefault(namespace, options);
  return new KubernetesModelsService(watch, ollama, config, options);
}

@Module({
  imports: [OllamaModule],
  controllers: [ModelsController],
  providers: [
    {
      provide: ModelsService,
      inject: [GPT_API_CONFIG, OllamaAdapter],
      useFactory: (config: GptApiConfig, ollama: OllamaAdapter) => createModelsService(config, ollama),
    },
    ModelCapabilities,
  ],
  exports: [ModelsService, ModelCapabilities],
})
export class ModelsModule {}
