// The agent team (Pinia setup store): the saved team, the draft being edited and its validation,
// saving it as a new version, and the "try a message" conversation (a dry run on the server).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useTeamApi, type Customer, type Problem, type Team, type TeamSummary, type TryResult } from './useTeamApi'

/** One exchange of the try panel: what was sent (text, or a tapped button), and what came back. */
export interface TryTurn {
  message: string
  result: TryResult
}

export const useTeamStore = defineStore('team', () => {
  const teamApi = useTeamApi()

  const team = ref<Team | null>(null)
  const loading = ref(false)
  const loadError = ref<string | null>(null)

  const draft = ref('')
  /** The text the last validation answered for, and its outcome (stale once the draft changes). */
  const checkedText = ref<string | null>(null)
  const problems = ref<Problem[]>([])
  const draftSummary = ref<TeamSummary | null>(null)
  const checking = ref(false)
  const checkError = ref<string | null>(null)

  const saving = ref(false)
  const saveError = ref<string | null>(null)
  const conflict = ref<string | null>(null)
  const saved = ref<string | null>(null)

  const customers = ref<Customer[]>([])
  const customer = ref<string>('')
  const trying = ref(false)
  const tryError = ref<string | null>(null)
  const tryProblems = ref<Problem[]>([])
  const turns = ref<TryTurn[]>([])

  const dirty = computed(() => team.value !== null && draft.value !== team.value.yaml)
  const checked = computed(() => checkedText.value === draft.value)
  const valid = computed(() => checked.value && !problems.value.length && !checkError.value)
  const canSave = computed(() => dirty.value && valid.value && !saving.value && !checking.value && !conflict.value)
  /** What the cards show: the draft's agents once it is valid, else the saved team's. */
  const summary = computed(() => (dirty.value && valid.value && draftSummary.value) || team.value?.summary || null)

  async function load(): Promise<void> {
    loading.value = true
    const result = await teamApi.get()
    loading.value = false
    if (result.error !== undefined) {
      loadError.value = result.error
      return
    }
    loadError.value = null
    conflict.value = null
    team.value = result.data
    draft.value = result.data.yaml
    checkedText.value = result.data.yaml // the serving team is valid by construction
    problems.value = []
    checkError.value = null
    draftSummary.value = result.data.summary
  }

  function edit(text: string): void {
    draft.value = text
    saved.value = null
  }

  function discard(): void {
    if (team.value) edit(team.value.yaml)
  }

  /** Validate the draft as it is now; a result for text edited meanwhile is dropped. */
  async function validate(): Promise<void> {
    const text = draft.value
    if (checkedText.value === text) return
    checking.value = true
    const result = await teamApi.validate(text)
    checking.value = false
    if (draft.value !== text) return
    checkedText.value = text
    problems.value = 'problems' in result ? result.problems : []
    checkError.value = 'error' in result ? result.error : null
    draftSummary.value = 'summary' in result ? result.summary : null
  }

  async function save(): Promise<void> {
    if (!team.value || !canSave.value) return
    const text = draft.value
    saving.value = true
    saveError.value = null
    const result = await teamApi.save(text, team.value.version)
    saving.value = false
    if ('team' in result) {
      team.value = result.team
      draftSummary.value = result.team.summary
      saved.value = `Saved as version ${result.team.version}. The bot answers with it from the next message.`
    } else if ('conflict' in result) {
      conflict.value = 'Someone saved a newer version of the team — reload it (your edit is kept until you do).'
    } else if ('problems' in result) {
      checkedText.value = text
      problems.value = result.problems
    } else {
      saveError.value = result.error
    }
  }

  async function loadCustomers(): Promise<void> {
    const result = await teamApi.customers()
    if (result.error !== undefined) {
      tryError.value = result.error
      return
    }
    customers.value = result.data
    if (!customer.value && result.data.length) customer.value = result.data[0]!.wa_id
  }

  /** Send a message (or tap a button of the last reply) to the draft team, continuing the try. */
  async function send(message: string, options: { tapped?: string; useDraft?: boolean } = {}): Promise<boolean> {
    const text = message.trim()
    if (!text || trying.value) return false
    trying.value = true
    tryError.value = null
    tryProblems.value = []
    const last = turns.value[turns.value.length - 1]
    const result = await teamApi.tryMessage({
      message: text,
      ...(options.useDraft && dirty.value ? { yaml: draft.value } : {}),
      ...(customer.value ? { wa_id: customer.value } : {}),
      ...(options.tapped ? { tapped: options.tapped } : {}),
      ...(last ? { state: last.result.state } : {}),
    })
    trying.value = false
    if ('result' in result) {
      turns.value = [...turns.value, { message: text, result: result.result }]
      return true
    }
    if ('problems' in result) {
      tryProblems.value = result.problems
      tryError.value = 'The draft has problems: fix them to try it.'
    } else tryError.value = result.error
    return false
  }

  function restartTry(): void {
    turns.value = []
    tryError.value = null
    tryProblems.value = []
  }

  return {
    team,
    loading,
    loadError,
    draft,
    problems,
    checking,
    checkError,
    saving,
    saveError,
    conflict,
    saved,
    customers,
    customer,
    trying,
    tryError,
    tryProblems,
    turns,
    dirty,
    checked,
    valid,
    canSave,
    summary,
    load,
    edit,
    discard,
    validate,
    save,
    loadCustomers,
    send,
    restartTry,
  }
})
