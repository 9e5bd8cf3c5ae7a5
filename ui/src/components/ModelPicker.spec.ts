import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '@/api/client';
import { setApiClient } from '@/api/app-client';
import { useModelsStore } from '@/stores/models';
import ModelPicker from './ModelPicker.vue';

const models = [
  { id: 'gemma3:270m-precise', object: 'model' as const, created: 0, owned_by: 'shoshizan', default: false },
  { id: 'gemma3:270m', object: 'model' as const, created: 0, owned_by: 'shoshizan', default: true },
];

describe('ModelPicker', () => {
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
    setApiClient({ listModels: async () => ({ object: 'list', data: models }) } as unknown as ApiClient);
  });

  it('lists the models with the default one marked, labelled Model', async () => {
    await useModelsStore().load();
    const wrapper = mount(ModelPicker, { props: { modelValue: 'gemma3:270m' } });
    expect(wrapper.get('label').text()).toBe('Model');
    expect(wrapper.findAll('option').map((o) => [o.attributes('value'), o.text()])).toEqual([
      ['gemma3:270m-precise', 'gemma3:270m-precise'],
      ['gemma3:270m', 'gemma3:270m (default)'],
    ]);
    expect((wrapper.get('select').element as HTMLSelectElement).value).toBe('gemma3:270m');
    await wrapper.get('select').setValue('gemma3:270m-precise');
    expect(wrapper.emitted('update:modelValue')).toEqual([['gemma3:270m-precise']]);
  });

  it('remembers a pick per conversation until a message carries it to the gateway', async () => {
    const store = useModelsStore();
    await store.load();
    expect(store.defaultModel).toBe('gemma3:270m');
    expect(store.modelFor('c1', null)).toBe('gemma3:270m');
    expect(store.modelFor('c1', 'gemma3:270m-precise')).toBe('gemma3:270m-precise');
    store.pick('c2', 'gemma3:270m-precise');
    expect(store.modelFor('c2', null)).toBe('gemma3:270m-precise');
    expect(store.modelFor('c1', null)).toBe('gemma3:270m');
    // A model that is gone falls back to the default.
    expect(store.modelFor('c3', 'removed:1b')).toBe('gemma3:270m');
    store.settle('c2');
    expect(store.modelFor('c2', null)).toBe('gemma3:270m');
  });
});
