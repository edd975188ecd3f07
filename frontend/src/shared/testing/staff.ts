// Test helper (specs only): a staff member as `GET /api/v1/auth/me` answers, to put on the session store
// (`useSessionStore().me = staffMember('agent')`) or to serve from a fake API.
import type { Schemas } from '@/shared/api/client'

type Me = Schemas['MeOut']

export function staffMember(role: Me['role'] = 'owner', overrides: Partial<Me> = {}): Me {
  const tenant = { slug: 'lumen', name: 'Lumen Home', role }
  return { id: 1, email: `${role}@lumen.example`, name: 'Sam', role, tenant: { ...tenant, currency: 'GBP' }, tenants: [tenant], ...overrides }
}
